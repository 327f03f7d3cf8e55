// Go's number formatting (strconv.FormatFloat and the fmt verbs templates use), so that
// `{{ $value }}`, `{{ printf "%.2f" $value }}` and `{{ humanize $value }}` print exactly what
// Prometheus prints. Decimal digits are computed exactly from the double and rounded half to
// even, as Go rounds; JavaScript's toFixed/toPrecision round exact ties away from zero.

/** Decimal digits of a finite positive number: value = 0.d1d2d3… × 10^dp, no trailing zeros. */
export interface Decimal {
  digits: string;
  dp: number;
}

const f64 = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite, positive double. */
export function exactDecimal(v: number): Decimal {
  f64.setFloat64(0, v);
  const hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bexp === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = bexp - 1075;
  }
  let s: string;
  let dp: number;
  if (e2 >= 0) {
    s = (mant << BigInt(e2)).toString();
    dp = s.length;
  } else {
    // mant / 2^k = mant * 5^k / 10^k
    const k = -e2;
    s = (mant * 5n ** BigInt(k)).toString();
    dp = s.length - k;
  }
  return trim({ digits: s, dp });
}

function trim(d: Decimal): Decimal {
  let end = d.digits.length;
  while (end > 0 && d.digits.charCodeAt(end - 1) === 48) end--;
  let start = 0;
  while (start < end && d.digits.charCodeAt(start) === 48) start++;
  if (start === end) return { digits: '', dp: 0 };
  return { digits: d.digits.slice(start, end), dp: d.dp - start };
}

/** The shortest digits that read back as `v` (what Go's precision -1 uses). */
export function shortestDecimal(v: number): Decimal {
  const [m, e] = v.toExponential().split('e') as [string, string];
  const digits = m.replace('.', '');
  return trim({ digits, dp: Number(e) + 1 });
}

/** Rounds to `nd` digits (nd may be <= 0), half to even on exact ties, as Go's decimal.Round. */
export function roundDecimal(d: Decimal, nd: number): Decimal {
  const ds = d.digits;
  if (nd >= ds.length) return d;
  if (nd < 0) return { digits: '', dp: 0 };
  const next = ds.charCodeAt(nd) - 48;
  let up: boolean;
  if (next > 5) up = true;
  else if (next < 5) up = false;
  else if (nd + 1 < ds.length) up = true; // more non-zero digits follow (trailing zeros are trimmed)
  else up = nd > 0 && (ds.charCodeAt(nd - 1) - 48) % 2 === 1; // exactly half: to even
  if (!up) return trim({ digits: ds.slice(0, nd), dp: d.dp });
  // Round up: increment the nd-digit prefix.
  const arr = ds.slice(0, nd).split('').map((c) => c.charCodeAt(0) - 48);
  let i = arr.length - 1;
  while (i >= 0 && arr[i] === 9) {
    arr[i] = 0;
    i--;
  }
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  arr[i]!++;
  return trim({ digits: arr.slice(0, i + 1).join(''), dp: d.dp });
}

function digitAt(d: Decimal, i: number): string {
  return i < d.digits.length ? d.digits[i]! : '0';
}

function fmtE(neg: boolean, d: Decimal, prec: number, ch: 'e' | 'E'): string {
  let out = neg ? '-' : '';
  out += d.digits.length === 0 ? '0' : d.digits[0]!;
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const a = Math.abs(exp);
  return `${out}${ch}${exp < 0 ? '-' : '+'}${a < 10 ? `0${a}` : a}`;
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let out = neg ? '-' : '';
  if (d.dp > 0) {
    let m = Math.min(d.digits.length, d.dp);
    out += d.digits.slice(0, m);
    for (; m < d.dp; m++) out += '0';
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j < 0 || j >= d.digits.length ? '0' : d.digits[j]!;
    }
  }
  return out;
}

/** strconv.FormatFloat(v, fmt, prec, 64); prec -1 = the shortest that round-trips. */
export function formatFloat(v: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  const shortest = prec < 0;
  if ((fmt === 'g' || fmt === 'G') && prec === 0) prec = 1;
  let d: Decimal;
  if (a === 0) d = { digits: '', dp: 0 };
  else if (shortest) d = shortestDecimal(a);
  else {
    const exact = exactDecimal(a);
    if (fmt === 'e' || fmt === 'E') d = roundDecimal(exact, prec + 1);
    else if (fmt === 'f') d = roundDecimal(exact, exact.dp + prec);
    else d = roundDecimal(exact, prec);
  }
  const nd = d.digits.length;
  if (shortest) {
    if (fmt === 'e' || fmt === 'E') prec = Math.max(nd - 1, 0);
    else if (fmt === 'f') prec = Math.max(nd - d.dp, 0);
    else prec = nd;
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, d, prec, fmt);
    case 'f':
      return fmtF(neg, d, prec);
    default: {
      let eprec = prec;
      if (eprec > nd && nd >= d.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      const ch = fmt === 'G' ? 'E' : 'e';
      if (exp < -4 || exp >= eprec) {
        if (prec > nd) prec = nd;
        return fmtE(neg, d, prec - 1, ch);
      }
      if (prec > d.dp) prec = nd;
      return fmtF(neg, d, Math.max(prec - d.dp, 0));
    }
  }
}

/** fmt's %v of a float64 (= strconv 'g', shortest). */
export function goFloatV(v: number): string {
  return formatFloat(v, 'g', -1);
}
