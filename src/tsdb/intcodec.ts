// Integer sequences (timestamps in ms, and values that are integers after scaling by a power of
// ten) as residuals of a predictor, in a prefix code whose bucket widths are chosen per chunk.
//
// Gorilla codes timestamps as delta-of-delta with fixed buckets (0 | 7 | 9 | 12 | 32 bits). Here
// each chunk picks, from the data it holds:
//   - a common step g (gcd of all x - x0): memory in KiB pages, sectors, a 1000 ms grid cost
//     nothing for the factor they share;
//   - the predictor order: 0 (offset from the middle of the range: noisy gauges), 1 (delta:
//     random walks, slowly moving gauges) or 2 (delta of delta: counters, timestamps);
//   - up to 5 buckets (prefixes 0, 10, 110, 1110, 1111) with the widths that minimise the total
//     size, found by dynamic programming over the histogram of residual bit lengths.
// The choice is made by computed cost, so one scheme fits every series without tuning.
import { BitReader, BitWriter, bitLength, unzigzag, zigzag } from './bits.js';

const MAX_BUCKETS = 5;

/** Largest magnitude encodeInts accepts. */
export const MAX_INT = 2 ** 48;

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Prefix length of bucket i among k buckets: 0, 10, 110, ..., and the last one all ones. */
function prefixLen(i: number, k: number): number {
  return k === 1 ? 0 : i < k - 1 ? i + 1 : k - 1;
}

export interface Buckets {
  widths: number[];
  /** Total bits of the coded residuals (prefixes included). */
  cost: number;
}

/** Best bucket widths for a histogram of bit lengths (hist[b] = residuals of b bits). */
export function bestBuckets(hist: Int32Array | number[]): Buckets {
  // Only bit lengths that occur can be optimal widths: the DP runs over those.
  const lens: number[] = [];
  const counts: number[] = [];
  let total = 0;
  for (let b = 0; b < hist.length; b++)
    if (hist[b]! > 0) {
      lens.push(b);
      counts.push(hist[b]!);
      total += hist[b]!;
    }
  const D = lens.length;
  if (D === 0) return { widths: [0], cost: 0 };
  const maxLen = lens[D - 1]!;
  // cum[j] = residuals with one of the first j lengths.
  const cum = new Float64Array(D + 1);
  for (let j = 0; j < D; j++) cum[j + 1] = cum[j]! + counts[j]!;
  let best: Buckets = { widths: [maxLen], cost: maxLen * total };
  const dp = new Float64Array(MAX_BUCKETS * D);
  const from = new Int32Array(MAX_BUCKETS * D);
  for (let k = 2; k <= Math.min(MAX_BUCKETS, D); k++) {
    // dp[i*D + j]: least cost of buckets 0..i where bucket i ends at length index j.
    dp.fill(Infinity);
    for (let j = 0; j < D; j++) dp[j] = (prefixLen(0, k) + lens[j]!) * cum[j + 1]!;
    for (let i = 1; i < k; i++) {
      const p = prefixLen(i, k);
      for (let j = i; j < D; j++) {
        let bestC = Infinity;
        let bestPrev = -1;
        const w = p + lens[j]!;
        for (let pj = i - 1; pj < j; pj++) {
          const c = dp[(i - 1) * D + pj]! + w * (cum[j + 1]! - cum[pj + 1]!);
          if (c < bestC) {
            bestC = c;
            bestPrev = pj;
          }
        }
        dp[i * D + j] = bestC;
        from[i * D + j] = bestPrev;
      }
    }
    const c = dp[(k - 1) * D + D - 1]!;
    if (c < best.cost) {
      const widths: number[] = new Array<number>(k);
      let j = D - 1;
      for (let i = k - 1; i >= 0; i--) {
        widths[i] = lens[j]!;
        j = from[i * D + j]!;
      }
      best = { widths, cost: c };
    }
  }
  return best;
}

function writeBuckets(w: BitWriter, widths: number[]): void {
  w.write(widths.length - 1, 3);
  for (const x of widths) w.write(x, 6);
}

function readBuckets(r: BitReader): number[] {
  const k = r.read(3) + 1;
  const widths: number[] = [];
  for (let i = 0; i < k; i++) widths.push(r.read(6));
  return widths;
}

/** Residuals of order `order` of m[0..n) (m[0] = 0), starting at index `from`. */
function residuals(m: Float64Array, order: number, center: number, out: Float64Array): number {
  const n = m.length;
  let k = 0;
  if (order === 0) for (let i = 1; i < n; i++) out[k++] = m[i]! - center;
  else if (order === 1) for (let i = 1; i < n; i++) out[k++] = m[i]! - m[i - 1]!;
  else for (let i = 2; i < n; i++) out[k++] = m[i]! - 2 * m[i - 1]! + m[i - 2]!;
  return k;
}

function histogram(res: Float64Array, len: number, hist: Int32Array): void {
  hist.fill(0);
  for (let i = 0; i < len; i++) hist[bitLength(zigzag(res[i]!))]!++;
}

/**
 * Writes n = xs.length safe integers with |x| <= MAX_INT (so that second differences and their
 * zigzag stay below 2^53).
 * The count is not written: the caller stores it.
 */
export function encodeInts(w: BitWriter, xs: ArrayLike<number>): void {
  const n = xs.length;
  if (n === 0) return;
  const x0 = xs[0]!;
  w.sint(x0);
  if (n === 1) return;
  let g = 0;
  for (let i = 1; i < n; i++) g = gcd(g, Math.abs(xs[i]! - x0));
  w.uint(g);
  if (g === 0) return; // constant
  const m = new Float64Array(n);
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < n; i++) {
    const v = (xs[i]! - x0) / g;
    m[i] = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const center = Math.round((lo + hi) / 2);
  const res = new Float64Array(n);
  const hist = new Int32Array(64);
  let bestOrder = 1;
  let bestB: Buckets | undefined;
  let bestHeader = 0;
  for (let order = 0; order <= 2; order++) {
    if (order === 2 && n < 3) continue;
    const len = residuals(m, order, center, res);
    histogram(res, len, hist);
    const b = bestBuckets(hist);
    // Header bits beyond the shared part: the center (order 0) or the first delta (order 2).
    const header = order === 0 ? 6 + bitLength(zigzag(center)) : order === 2 ? 6 + bitLength(zigzag(m[1]!)) : 0;
    if (!bestB || b.cost + header < bestB.cost + bestHeader) {
      bestB = b;
      bestOrder = order;
      bestHeader = header;
    }
  }
  w.write(bestOrder, 2);
  if (bestOrder === 0) w.sint(center);
  if (bestOrder === 2) w.sint(m[1]!);
  const widths = bestB!.widths;
  writeBuckets(w, widths);
  const k = widths.length;
  const len = residuals(m, bestOrder, center, res);
  for (let i = 0; i < len; i++) {
    const z = zigzag(res[i]!);
    const bl = bitLength(z);
    let b = 0;
    while (widths[b]! < bl) b++;
    const p = prefixLen(b, k);
    // Prefix: b ones then a zero, except the last bucket (all ones, no zero).
    if (p > 0) w.write(b < k - 1 ? ((1 << b) - 1) << 1 : (1 << p) - 1, p);
    w.writeWide(z, widths[b]!);
  }
}

/** Reads what encodeInts wrote for `n` integers into out[0..n). */
export function decodeInts(r: BitReader, n: number, out: Float64Array | number[]): void {
  if (n === 0) return;
  const x0 = r.sint();
  out[0] = x0;
  if (n === 1) return;
  const g = r.uint();
  if (g === 0) {
    for (let i = 1; i < n; i++) out[i] = x0;
    return;
  }
  const order = r.read(2);
  const center = order === 0 ? r.sint() : 0;
  let d = order === 2 ? r.sint() : 0;
  const widths = readBuckets(r);
  const k = widths.length;
  const last = k - 1;
  let m = 0;
  let i = 1;
  if (order === 2) {
    m = d;
    out[1] = x0 + m * g;
    i = 2;
  }
  let maxW = 0;
  for (const x of widths) if (x > maxW) maxW = x;
  if (maxW <= 30) {
    // Residuals below 2^30 (nearly every chunk): the loop in int32 arithmetic only.
    decodeNarrow(r, n, out, i, x0, g, order, center, m, d, widths);
    return;
  }
  // The hot loop of every query: the reader's state in locals, reads inlined.
  const w = r.words;
  let wi = r.wi;
  let bo = r.bo;
  for (; i < n; i++) {
    let b = 0;
    if (k > 1) {
      const peek = bo === 0 ? w[wi]! : ((w[wi]! << bo) | (w[wi + 1]! >>> (32 - bo))) >>> 0;
      b = Math.clz32(~peek);
      if (b >= last) b = last;
      bo += b < last ? b + 1 : b;
      wi += bo >>> 5;
      bo &= 31;
    }
    const wb = widths[b]!;
    let z = 0;
    if (wb > 0) {
      if (wb <= 32) {
        const end = bo + wb;
        if (end <= 32) z = ((w[wi]! << bo) >>> 0) >>> (32 - wb);
        else {
          const loBits = end - 32;
          z = (bo === 0 ? w[wi]! : ((w[wi]! << bo) >>> 0) >>> bo) * 2 ** loBits + (w[wi + 1]! >>> (32 - loBits));
        }
        bo = end;
        wi += bo >>> 5;
        bo &= 31;
      } else {
        r.seek(wi, bo);
        z = r.readWide(wb);
        wi = r.wi;
        bo = r.bo;
      }
    }
    const res = z < 2147483648 ? (z & 1 ? -((z + 1) >>> 1) : z >>> 1) : unzigzag(z);
    if (order === 0) m = center + res;
    else if (order === 1) m += res;
    else {
      d += res;
      m += d;
    }
    out[i] = x0 + m * g;
  }
  r.seek(wi, bo);
}

/** decodeInts' loop from index `i` when every bucket width is at most 30 bits. */
function decodeNarrow(r: BitReader, n: number, out: Float64Array | number[], i: number, x0: number, g: number, order: number, center: number, m: number, d: number, widthList: number[]): void {
  const widths = Int32Array.from(widthList);
  const k = widths.length;
  const last = k - 1;
  // The words as int32: a Uint32Array element above 2^31 is a double to V8, an int32 one is not.
  const w = new Int32Array(r.words.buffer, r.words.byteOffset, r.words.length);
  let wi = r.wi;
  let bo = r.bo;
  for (; i < n; i++) {
    let b = 0;
    if (k > 1) {
      const peek = bo === 0 ? w[wi]! : (w[wi]! << bo) | (w[wi + 1]! >>> (32 - bo));
      b = Math.clz32(~peek);
      if (b >= last) b = last;
      bo += b < last ? b + 1 : b;
      wi += bo >>> 5;
      bo &= 31;
    }
    const wb = widths[b]!;
    let z = 0;
    if (wb > 0) {
      const end = bo + wb;
      z = (w[wi]! << bo) >>> (32 - wb);
      if (end > 32) z |= w[wi + 1]! >>> (64 - end);
      bo = end;
      wi += bo >>> 5;
      bo &= 31;
    }
    const res = (z >>> 1) ^ -(z & 1);
    if (order === 0) m = center + res;
    else if (order === 1) m += res;
    else {
      d += res;
      m += d;
    }
    out[i] = x0 + m * g;
  }
  r.seek(wi, bo);
}

/** Timestamps (integer ms) as one byte stream: count, then encodeInts. */
export function encodeTimes(ts: ArrayLike<number>): Uint8Array {
  const w = new BitWriter(16 + ts.length);
  w.uint(ts.length);
  encodeInts(w, ts);
  return w.finish();
}

export function decodeTimes(buf: Uint8Array, offset = 0, end = buf.length): Float64Array {
  const r = new BitReader(buf, offset, end);
  const n = r.uint();
  const out = new Float64Array(n);
  decodeInts(r, n, out);
  return out;
}
