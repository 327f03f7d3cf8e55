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
 * Parse a phone number starting at `plus` (text[plus] === '+'). Returns the end offset of the
 * number or -1. Only whole digit groups are taken; a trailing group is dropped if the number is
 * valid without it and separated by a space (a phone followed by another number).
 */
export function matchPhoneAt(text: string, plus: number): number {
  if (plus > 0) {
    const b = text.charCodeAt(plus - 1);
    if (isWordChar(b) || b === 43 /* + */ || b === 46 /* . */) return -1;
  }
  let i = plus + 1;
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
      if (isWordChar(after) || after === 37 /* % */) return -1;
      if ((after === 46 || after === 44 || after === 58) && isDigit(text.charCodeAt(last.end + 1))) return -1;
    }
    return last.end;
  }
  return -1;
}
