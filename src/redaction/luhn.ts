// Payment card checks: Luhn checksum plus issuer prefixes, so that random long numbers
// (ids, nanosecond timestamps) that happen to pass Luhn are mostly rejected.

/** Luhn (mod 10) check over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/**
 * Whether the number has an issuer prefix of a card scheme and a length that scheme uses.
 * Ranges are the schemes' published IIN ranges, not "any 5 or 6": a Luhn-valid order or parcel
 * number under a prefix no scheme uses is not a card.
 */
export function cardIssuerValid(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  const p6 = Number(d.slice(0, 6));
  if (d[0] === '4') return n === 13 || n === 16 || n === 19; // Visa (and Elo, Visa Electron)
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p4 >= 2200 && p4 <= 2204) return n >= 16 && n <= 19; // Mir
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) return n >= 16 && n <= 19; // Discover
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  if (p2 === 36 || p2 === 38 || p2 === 39 || (p3 >= 300 && p3 <= 305) || p4 === 3095) return n >= 14 && n <= 19; // Diners
  if (p2 === 62 || p2 === 81) return n >= 16 && n <= 19; // UnionPay
  if (p2 === 60 || p2 === 82 || p3 === 508 || p3 === 353 || p3 === 356) return n === 16; // RuPay
  // Maestro, Dankort, Verve, Elo, Hipercard, InterPayment, Troy: listed prefixes only.
  const MAESTRO4 = [5018, 5019, 5020, 5038, 5041, 5061, 5066, 5067, 5893, 6062, 6277, 6304, 6362, 6363, 6500, 6516, 6550, 6759, 6761, 6762, 6763, 6771, 6799, 9792];
  if (MAESTRO4.includes(p4) || p3 === 509 || p3 === 636 || p3 === 650) return n >= 12 && n <= 19;
  return false;
}

/** Card number grouping as printed: 4-4-4-4(-3), Amex/Diners 4-6-5 / 4-6-4. */
export function cardGroupingValid(groups: number[]): boolean {
  if (groups.length === 1) return true;
  const g = groups.join('-');
  return g === '4-4-4-4' || g === '4-4-4-4-3' || g === '4-6-5' || g === '4-6-4' || g === '4-4-4-1' || g === '4-4-4-2' || g === '4-4-4-3' || g === '4-4-5';
}
