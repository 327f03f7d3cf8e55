// Payment cards (Luhn), IBANs (mod 97) and E.164 phone numbers.
import { cardGroupingValid, cardIssuerValid, luhnValid } from './luhn.js';
import { ibanChecksumValid, ibanLength } from './iban.js';
import { findNationalPhones, matchPhoneAt, phoneContext, REFERENCE_BEFORE } from './phone.js';
import type { FindFn } from './text.js';

// ---------- payment cards ----------

const CARD = /(?<![\w.+\-/])\d(?:[ -]?\d){11,18}(?![\w]|[.,\-/]\d)/g;
/** A bare digit run right after these keys is an identifier, not a card number; ean/gtin/upc/
 *  isbn/barcode name product codes (an EAN-13 under GS1's 40-44 prefixes passes Luhn one time
 *  in ten and looks like a 13-digit Visa). */
const ID_CONTEXT = /(?:id|_no|seq|offset|nanos|_ns|_ms|ts|timestamp|epoch|count|bytes|size|ean|gtin|upc|isbn|barcode)["']?\s*[:=]\s*["']?$/i;

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
    // "re order 8116…", "invoice 6011…": a Luhn-valid reference number, not a card.
    if (groups.length === 1 && REFERENCE_BEFORE.test(t.slice(Math.max(0, m.index - 24), m.index))) continue;
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

// ---------- phone ----------

/**
 * A number that starts right after a short digit group and a space continues a longer grouped
 * number (a SIRET `503 008 539 57873`, an account `12 0612 3456`): its tail is not a phone.
 */
function continuesDigitGroups(t: string, start: number): boolean {
  if (start < 2 || t.charCodeAt(start - 1) !== 32) return false;
  let i = start - 2;
  while (i >= 0 && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i--;
  const run = start - 2 - i;
  return run >= 1 && run <= 4 && (i < 0 || !/[\w.+\-/]/.test(t[i]!));
}

/** International (+, 00, URL-encoded %2B) with country-code checks, then national formats. */
export const findPhone: FindFn = (t, st, det, out) => {
  if (st.digits < 9) return;
  if (st.plus)
    for (let p = t.indexOf('+'); p >= 0; p = t.indexOf('+', p + 1)) {
      const e = matchPhoneAt(t, p);
      if (e > 0) {
        out.push({ start: p, end: e, det });
        p = e - 1;
      }
    }
  if (st.pct)
    for (let p = t.indexOf('%2'); p >= 0; p = t.indexOf('%2', p + 1)) {
      const c = t.charCodeAt(p + 2);
      if (c !== 66 && c !== 98) continue; // %2B / %2b
      const e = matchPhoneAt(t, p, 3);
      if (e > 0) {
        out.push({ start: p, end: e, det });
        p = e - 1;
      }
    }
  // 00 as the international prefix, then the country code alone and a separator: "0033 6 12 34
  // 56 78". Otherwise (00491711234567, 004657 17337) it is as likely an id or a compact time, so
  // then only where the text speaks of phones.
  for (let p = t.indexOf('00'); p >= 0; p = t.indexOf('00', p + 1)) {
    const e = matchPhoneAt(t, p, 2);
    if (e < 0 || continuesDigitGroups(t, p)) continue;
    let q = p + 2;
    while (q < e && t.charCodeAt(q) >= 48 && t.charCodeAt(q) <= 57) q++;
    const cc = q - p - 2;
    if ((cc >= 1 && cc <= 3 && q < e) || phoneContext(t)) {
      out.push({ start: p, end: e, det });
      p = e - 1;
    }
  }
  findNationalPhones(t, (start, end) => {
    if (!continuesDigitGroups(t, start)) out.push({ start, end, det });
  });
};
