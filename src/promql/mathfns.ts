// Go's math where it differs from JavaScript's (Pow's special cases, Log2/Log10's formulas),
// Prometheus' quantile and histogram bucket interpolation, and the date functions.

/** Go's math.Pow special cases: Pow(1, y) = 1 and Pow(-1, ±Inf) = 1, where JS gives NaN. */
export function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (y === 0) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Go's math.Frexp for finite non-zero x: fraction in [0.5, 1) in `frexpFrac`, returns exponent. */
let frexpFrac = 0;
function frexp(x: number): number {
  let e = 0;
  if (Math.abs(x) < 2.2250738585072014e-308) {
    x *= 2 ** 52;
    e = -52;
  }
  f64[0] = x;
  const hi = u32[HI]!;
  e += ((hi >>> 20) & 0x7ff) - 1022;
  u32[HI] = (hi & ~(0x7ff << 20)) | (1022 << 20);
  frexpFrac = f64[0]!;
  return e;
}

/** Go's math.Log2: exact for powers of two, else Log(frac)/Ln2 + exp. */
export function goLog2(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log2(x);
  const exp = frexp(x);
  const frac = frexpFrac;
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * 1.44269504088896340735992468100189213743 + exp;
}

/** Go's math.Log10 = Log2(x) * (Ln2/Ln10). */
export function goLog10(x: number): number {
  return goLog2(x) * 0.30102999566398119521373889472449302677;
}

/** Prometheus' quantile over values sorted ascending with NaN first. */
export function quantileSorted(q: number, values: Float64Array | number[]): number {
  const n = values.length;
  if (n === 0 || q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  return values[lowerIndex]! * (1 - weight) + values[upperIndex]! * weight;
}

/**
 * histogram_quantile over classic buckets: `ub`/`cnt` sorted by upper bound (modified in place:
 * equal bounds merged, counts made monotonic, as Prometheus does).
 */
export function bucketQuantile(q: number, ub: number[], cnt: number[]): number {
  if (q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  let n = ub.length;
  if (n === 0 || ub[n - 1] !== Infinity) return NaN;
  // Coalesce equal upper bounds.
  let w = 0;
  for (let k = 1; k < n; k++) {
    if (ub[k] === ub[w]) cnt[w]! += cnt[k]!;
    else {
      w++;
      ub[w] = ub[k]!;
      cnt[w] = cnt[k]!;
    }
  }
  n = w + 1;
  // Monotonic counts.
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    if (cnt[k]! > max) max = cnt[k]!;
    else if (cnt[k]! < max) cnt[k] = max;
  }
  if (n < 2) return NaN;
  const observations = cnt[n - 1]!;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // First bucket (of the first n-1) with count >= rank.
  let b = 0;
  let hi = n - 1;
  while (b < hi) {
    const mid = (b + hi) >>> 1;
    if (cnt[mid]! >= rank) hi = mid;
    else b = mid + 1;
  }
  if (b === n - 1) return ub[n - 2]!;
  if (b === 0 && ub[0]! <= 0) return ub[0]!;
  let bucketStart = 0;
  const bucketEnd = ub[b]!;
  let count = cnt[b]!;
  if (b > 0) {
    bucketStart = ub[b - 1]!;
    count -= cnt[b - 1]!;
    rank -= cnt[b - 1]!;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

const MAX_DATE_SECONDS = 8.64e12;

/** A UTC date of Go's time.Unix(int64(v), 0); undefined outside JavaScript's date range. */
function dateOf(seconds: number): Date | undefined {
  if (!Number.isFinite(seconds)) return undefined;
  const s = Math.trunc(seconds);
  if (Math.abs(s) > MAX_DATE_SECONDS) return undefined;
  return new Date(s * 1000);
}

const dateFn = (f: (d: Date) => number) => (seconds: number): number => {
  const d = dateOf(seconds);
  return d ? f(d) : NaN;
};

export const DATE_FUNCTIONS: ReadonlyMap<string, (seconds: number) => number> = new Map([
  ['year', dateFn((d) => d.getUTCFullYear())],
  ['month', dateFn((d) => d.getUTCMonth() + 1)],
  ['day_of_month', dateFn((d) => d.getUTCDate())],
  ['day_of_week', dateFn((d) => d.getUTCDay())],
  ['day_of_year', dateFn((d) => Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1)],
  ['days_in_month', dateFn((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate())],
  ['hour', dateFn((d) => d.getUTCHours())],
  ['minute', dateFn((d) => d.getUTCMinutes())],
]);

const rad = (v: number): number => (v * Math.PI) / 180;
const deg = (v: number): number => (v * 180) / Math.PI;
const sgn = (v: number): number => (v < 0 ? -1 : v > 0 ? 1 : v);

/** f(value) functions of one instant vector; all drop the metric name. */
export const SIMPLE_FUNCTIONS: ReadonlyMap<string, (v: number) => number> = new Map<string, (v: number) => number>([
  ['abs', Math.abs], ['ceil', Math.ceil], ['floor', Math.floor], ['exp', Math.exp], ['sqrt', Math.sqrt],
  ['ln', Math.log], ['log2', goLog2], ['log10', goLog10],
  ['sin', Math.sin], ['cos', Math.cos], ['tan', Math.tan], ['asin', Math.asin], ['acos', Math.acos], ['atan', Math.atan],
  ['sinh', Math.sinh], ['cosh', Math.cosh], ['tanh', Math.tanh], ['asinh', Math.asinh], ['acosh', Math.acosh], ['atanh', Math.atanh],
  ['rad', rad], ['deg', deg], ['sgn', sgn],
]);
