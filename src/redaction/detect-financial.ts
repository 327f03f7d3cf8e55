// Payment cards (Luhn), IBANs (mod 97) and E.164 phone numbers.
import { cardGroupingValid, cardIssuerValid, luhnValid } from './luhn.js';
import { ibanChecksumValid, ibanLength } from './iban.js';
import { matchPhoneAt } from './phone.js';
import type { FindFn } from './text.js';

// ---------- payment cards ----------

const CARD = /(?<![\w.+\-/])\d(?:[ -]?\d){11,18}(?![\w]|[.,\-/]\d)/g;
/** A bare digit run right after these keys is an identifier, not a card number. */
const ID_CONTEXT = /(?:id|_no|seq|offset|nanos|_ns|_ms|ts|timestamp|epoch|count|bytes|size)["']?\s*[:=]\s*["']?$/i;

export const findCard: FindFn = (t, st, det, out) => {
  if (st.digits < 12) return;
  CARD.lastIndex = 0;
  for (let m = CARD.exec(t); m; m = CARD.exec(t)) {
    const raw = m[0];
    const groups = raw.split(/[ -]/).map((g) => g.length);
    const digits = raw.replace(/[ -]/g, '');
    if (digits.length < 12 || digits.length > 19) continue;
    if (!cardGroupingValid(groups)) continue;
    if (groups.length > 1 && /[ ]/.test(raw) && /-/.test(raw)) continue;
    if (!cardIssuerValid(digits) || !luhnValid(digits)) continue;
    if (groups.length === 1 && ID_CONTEXT.test(t.slice(Math.max(0, m.index - 16), m.index))) continue;
    out.push({ start: m.index, end: m.index + raw.length, det });
  }
};

// ---------- IBAN ----------

const IBAN = /(?<![\w])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![\w])/g;

export const findIban: FindFn = (t, st, det, out) => {
  if (st.digits < 8 || t.length < 15) return;
  IBAN.lastIndex = 0;
  for (let m = IBAN.exec(t); m; m = IBAN.exec(t)) {
    const raw = m[0];
    const len = ibanLength(raw.slice(0, 2));
    if (len === undefined) continue;
    // Take exactly the country's length (the regex may have swallowed a following word).
    let n = 0;
    let end = -1;
    for (let i = 0; i < raw.length; i++) {
      if (raw.charCodeAt(i) !== 32) n++;
      if (n === len) {
        end = i + 1;
        break;
      }
    }
    if (end < 0) continue;
    if (end < raw.length && raw.charCodeAt(end) !== 32) continue;
    const compact = raw.slice(0, end).replace(/ /g, '');
    // Lower-case IBANs are accepted only in full lower case (not "de89…" inside a hex id).
    if (compact !== compact.toUpperCase() && compact !== compact.toLowerCase()) continue;
    if (!ibanChecksumValid(compact)) continue;
    out.push({ start: m.index, end: m.index + end, det });
  }
};

// ---------- phone (E.164) ----------

export const findPhone: FindFn = (t, st, det, out) => {
  if (!st.plus || st.digits < 8) return;
  for (let p = t.indexOf('+'); p >= 0; p = t.indexOf('+', p + 1)) {
    const e = matchPhoneAt(t, p);
    if (e > 0) {
      out.push({ start: p, end: e, det });
      p = e - 1;
    }
  }
};
