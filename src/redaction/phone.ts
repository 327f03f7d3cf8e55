// International phone numbers in E.164 form (+<country code><national number>), as written in
// logs: "+14155552671", "+1 (415) 555-2671", "+44 (0)20 7946 0958", "+33 1 23 45 67 89".
// Country codes and national lengths are checked so that "+0200", "+15 items" or version
// deltas are not taken for phones.

/** National significant number lengths [min, max] for common country codes. */
const NSN: Record<string, [number, number]> = {
  '1': [10, 10], '7': [10, 10], '20': [8, 10], '27': [9, 9], '30': [10, 10], '31': [9, 9],
  '32': [8, 9], '33': [9, 9], '34': [9, 9], '36': [8, 9], '39': [6, 11], '40': [9, 9],
  '41': [9, 9], '43': [4, 13], '44': [9, 10], '45': [8, 8], '46': [7, 10], '47': [8, 8],
  '48': [9, 9], '49': [6, 13], '51': [8, 9], '52': [10, 10], '53': [8, 8], '54': [10, 11],
  '55': [10, 11], '56': [9, 9], '57': [10, 10], '58': [10, 10], '60': [8, 10], '61': [9, 9],
  '62': [8, 12], '63': [8, 10], '64': [8, 10], '65': [8, 8], '66': [8, 9], '81': [9, 10],
  '82': [8, 10], '84': [9, 10], '86': [10, 11], '90': [10, 10], '91': [10, 10], '92': [9, 10],
  '93': [9, 9], '94': [9, 9], '95': [7, 10], '98': [10, 10],
};
/** Two-digit prefixes under which ITU assigns three-digit country codes. */
const THREE_DIGIT_PREFIXES = new Set([
  '21', '22', '23', '24', '25', '26', '29', '35', '37', '38', '42', '50', '59', '67', '68', '69',
  '80', '85', '87', '88', '96', '97', '99',
]);

/** Whether a digit string (without '+') is a plausible E.164 number. */
export function e164Valid(d: string): boolean {
  if (d.length < 8 || d.length > 15 || d.charCodeAt(0) === 48) return false;
  let cc: string;
  if (d[0] === '1' || d[0] === '7') cc = d[0];
  else if (NSN[d.slice(0, 2)]) cc = d.slice(0, 2);
  else if (THREE_DIGIT_PREFIXES.has(d.slice(0, 2))) cc = d.slice(0, 3);
  else return false;
  const nsn = d.slice(cc.length);
  const range = NSN[cc] ?? [6, 12];
  if (nsn.length < range[0] || nsn.length > range[1]) return false;
  // North American numbering plan: area code and exchange never start with 0 or 1.
  if (cc === '1' && (nsn.charCodeAt(0) < 50 || nsn.charCodeAt(3) < 50)) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isWordChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

interface Group {
  digits: string;
  end: number;
  /** The separator that follows the group (0 if none). */
  sep: number;
  trunk: boolean;
}

/**
 * Parse a phone number whose international prefix starts at `plus`: `+` (prefixLen 1), `00`
 * (2) or a URL-encoded `%2B` (3, where `%20` also separates groups). Returns the end offset of
 * the number or -1. Only whole digit groups are taken; a trailing group is dropped if the number
 * is valid without it and separated by a space (a phone followed by another number).
 */
export function matchPhoneAt(text: string, plus: number, prefixLen = 1): number {
  const encoded = prefixLen === 3;
  if (plus > 0) {
    const b = text.charCodeAt(plus - 1);
    if (encoded) {
      // "=%2B..", "%3A%2B.." (tel:+), "/%2B..": fine; a letter or digit right before is not.
      if (isWordChar(b) && !(plus >= 3 && text.charCodeAt(plus - 3) === 37)) return -1;
    } else if (isWordChar(b) || b === 43 /* + */ || b === 46 /* . */ || (prefixLen === 2 && (b === 45 || b === 47))) return -1;
  }
  let i = plus + prefixLen;
  if (!isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 48) return -1;
  const groups: Group[] = [];
  let total = 0;
  for (;;) {
    let paren = false;
    if (text.charCodeAt(i) === 40 /* ( */) {
      paren = true;
      i++;
    }
    const start = i;
    while (isDigit(text.charCodeAt(i))) i++;
    if (i === start) break;
    const digits = text.slice(start, i);
    if (paren) {
      if (text.charCodeAt(i) !== 41 /* ) */) break;
      i++;
    }
    total += digits.length;
    const g: Group = { digits, end: i, sep: 0, trunk: paren && digits === '0' && groups.length === 1 };
    groups.push(g);
    if (total > 17) return -1;
    const c = text.charCodeAt(i);
    const n = text.charCodeAt(i + 1);
    if ((c === 32 || c === 45 || c === 46) && (isDigit(n) || n === 40)) {
      g.sep = c;
      i++;
    } else if (encoded && c === 37 && text.startsWith('%20', i) && isDigit(text.charCodeAt(i + 3))) {
      g.sep = 32;
      i += 3;
    } else if (c === 40 || (paren && isDigit(c))) {
      g.sep = c; // "(415)555-2671", "(0)20 7946 0958"
    } else break;
  }
  if (groups.length === 0) return -1;
  for (let k = groups.length; k >= 1; k--) {
    const last = groups[k - 1]!;
    if (k < groups.length && last.sep !== 32) continue;
    let d = '';
    for (let j = 0; j < k; j++) if (!groups[j]!.trunk) d += groups[j]!.digits;
    if (!e164Valid(d)) continue;
    const after = text.charCodeAt(last.end);
    if (k === groups.length) {
      if (isWordChar(after) || (after === 37 && !encoded)) return -1;
      if ((after === 46 || after === 44 || after === 58) && isDigit(text.charCodeAt(last.end + 1))) return -1;
    }
    return last.end;
  }
  return -1;
}

// ---------- national formats (no country code) ----------

/** Words that say a number is a phone number (in English, French, German), calling back included. */
const PHONE_CONTEXT =
  /(?:^|[^a-z])(?:phone|telephone|t[ée]l[ée]?phone|tel|t[ée]l|telefon|fon|mobile?|mobil|handy|cell|portable|fax|sms|msisdn|callback|caller|calling|call|rufnummer|num[ée]ro|whatsapp|contact|kontakt|r[üu]e?ckruf|anruf|anrufen|rappel|rappeler|appeler|joindre|joignable|erreichbar)(?:[^a-z]|$)/i;
/** A number right after one of these words is a reference (ref 640 601 0750), not a phone. */
export const REFERENCE_BEFORE = /(?:^|[^a-z])(?:ref|r[ée]f|reference|r[ée]f[ée]rence|order|invoice|ticket|tracking|isbn|sku|batch|case|commande|facture|bestellung|rechnung)\.?\s*(?:no\.?|nr\.?|n°|#)?\s*[:=#]?\s*$/i;

/** North American (415) 555-2671, 415-555-2671, 415.555.2671, 1-415-555-2671: shape is enough. */
const NANP = /(?<![\w.+/-])(?:1[ .-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}([ .-]))[2-9]\d{2}[ .-]\d{4}(?![\w]|[.,/-]\d)/g;
/** French 06 12 34 56 78 / 06.12.34.56.78 (one separator throughout): shape is enough. */
const FR_GROUPED = /(?<![\w.+/-])0[1-9]([ .-])\d{2}(?:\1\d{2}){3}(?![\w]|[.,/-]\d)/g;
/** British/German written in three spaced groups, 020 7946 0958, 0171 234 5678: shape is enough. */
const SPACED3 = /(?<![\w.+/-])0[1-9]\d{1,3} \d{3,4} \d{3,4}(?![\w]|[.,/-]\d)/g;
/** German area code and number joined by a slash or dash, 0711/6104471, 040-59413087: a trunk
 *  0, 2-5 digits, the separator, 5-8 digits, 9-12 digits in all. */
const DE_JOINED = /(?<![\w.+/-])0[1-9]\d{1,4}[/-]\d{5,8}(?![\w]|[.,/-]\d)/g;
/** An area code in parentheses, (040) 9591 5848, (0711) 5754 805: shape is enough. */
const PAREN_AREA = /(?<![\w.+/-])\(0[1-9]\d{1,4}\) ?\d{2,8}(?:[ -]\d{2,5}){0,2}(?![\w]|[.,/-]\d)/g;
/** British five-and-six, 07700 900123, 01632 960123: shape is enough. */
const UK56 = /(?<![\w.+/-])0[1-9]\d{3} \d{6}(?![\w]|[.,/-]\d)/g;
/** Other national numbers (German, British, compact French): a trunk 0 and 9-12 digits; only
 *  taken when the text says it is about phones. */
const NATIONAL = /(?<![\w.+/-])(?:\(0[1-9]\d{1,4}\) ?|0[1-9]\d{1,4}[ /-]?)\d{2,8}(?:[ -]\d{2,5}){0,2}(?![\w]|[.,/-]\d)/g;

export function phoneContext(text: string): boolean {
  return PHONE_CONTEXT.test(text);
}

export function findNationalPhones(text: string, found: (start: number, end: number) => void): void {
  const push = (start: number, end: number) => {
    if (!REFERENCE_BEFORE.test(text.slice(Math.max(0, start - 24), start))) found(start, end);
  };
  for (const re of [NANP, FR_GROUPED, SPACED3, UK56, DE_JOINED, PAREN_AREA]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (re === SPACED3) {
        const digits = m[0].length - 2;
        if (digits < 10 || digits > 11) continue;
      }
      if (re === DE_JOINED && (m[0].length - 1 < 9 || m[0].length - 1 > 12)) continue;
      if (re === PAREN_AREA) {
        const digits = m[0].replace(/\D/g, '').length;
        if (digits < 9 || digits > 12) continue;
      }
      push(m.index, m.index + m[0].length);
    }
  }
  if (!PHONE_CONTEXT.test(text)) return;
  NATIONAL.lastIndex = 0;
  for (let m = NATIONAL.exec(text); m; m = NATIONAL.exec(text)) {
    let digits = 0;
    for (let i = 0; i < m[0].length; i++) if (isDigit(m[0].charCodeAt(i))) digits++;
    if (digits >= 9 && digits <= 12) push(m.index, m.index + m[0].length);
  }
}
