// Float values of one chunk. Two codings, and each chunk keeps the smaller:
//   - decimal: most metric values are integers (bytes, packets, pages) or decimals with a few
//     digits (CPU seconds in 1/100 s ticks, load averages, NAB's sensor readings), or ratios
//     printed with 12 significant digits (0.0819647355164: 13 places). When v === n / 10^e for
//     e <= 16, |n| <= 2^48 and every value, the integers n are coded by intcodec.ts,
//     where counters with steady increments and gauges on a step (pages, sectors) cost a few
//     bits. Values a few ulps away from such a decimal (74.93588199999998: the artifacts of
//     binary arithmetic on decimals, frequent in real data) are that decimal plus a small ulp
//     correction; values that fit neither way (NaN, ±Inf, staleness markers, -0, outliers)
//     are kept aside as exceptions with their exact 64 bits.
//   - xor: Gorilla's XOR of consecutive values with leading/trailing zero counts, exact for any
//     bit pattern (NaN payloads included), for values that are not short decimals (ratios).
import { BitReader, BitWriter } from './bits.js';
import { decodeInts, encodeInts, MAX_INT } from './intcodec.js';

const MAX_EXP = 16;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Little-endian hosts (x86, arm64): u32[0] is the low word.
const LO = 0;
const HI = 1;

/** Smallest e with v === round(v * 10^e) / 10^e, or -1. */
function decimalExp(v: number): number {
  if (!Number.isFinite(v) || Object.is(v, -0)) return -1;
  for (let e = 0; e <= MAX_EXP; e++) {
    const n = Math.round(v * POW10[e]!);
    if (Math.abs(n) > MAX_INT) return -1;
    if (n / POW10[e]! === v) return e;
  }
  return -1;
}

/** Largest ulp distance a value may have from its decimal and still be coded as a correction. */
const MAX_ULPS = 64;

/**
 * Ulps from `approx` to `v` (same sign, finite), or undefined when farther than MAX_ULPS. The
 * bit patterns of same-signed doubles are ordered like their magnitudes.
 */
function ulpDelta(v: number, approx: number): number | undefined {
  if (v === approx) return Object.is(v, -0) !== Object.is(approx, -0) ? undefined : 0;
  if (!Number.isFinite(approx) || v < 0 !== approx < 0 || approx === 0) return undefined;
  f64[0] = v;
  const vh = u32[HI]!;
  const vl = u32[LO]!;
  f64[0] = approx;
  const d = (vh - u32[HI]!) * 4294967296 + (vl - u32[LO]!);
  return Math.abs(d) <= MAX_ULPS ? d : undefined;
}

/** `approx` moved by `d` ulps (inverse of ulpDelta). */
function addUlps(approx: number, d: number): number {
  f64[0] = approx;
  let lo = u32[LO]! + d;
  let hi = u32[HI]!;
  if (lo < 0) {
    lo += 4294967296;
    hi--;
  } else if (lo >= 4294967296) {
    lo -= 4294967296;
    hi++;
  }
  u32[LO] = lo;
  u32[HI] = hi;
  return f64[0]!;
}

/** How each value of a chunk is coded for a decimal exponent e. */
interface DecimalPlan {
  e: number;
  /** Indices coded as decimal + ulp correction, and the corrections. */
  fixIdx: number[];
  fixUlps: number[];
  /** Indices kept as raw 64 bits. */
  exceptions: number[];
  /** Bits estimated beyond the integer stream. */
  cost: number;
}

function planDecimal(vs: ArrayLike<number>, e: number): DecimalPlan {
  const s = POW10[e]!;
  const p: DecimalPlan = { e, fixIdx: [], fixUlps: [], exceptions: [], cost: 0 };
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i]!;
    if (!Number.isFinite(v) || Object.is(v, -0)) {
      p.exceptions.push(i);
      continue;
    }
    const k = Math.round(v * s);
    if (Math.abs(k) > MAX_INT) {
      p.exceptions.push(i);
      continue;
    }
    const d = ulpDelta(v, k / s);
    if (d === undefined) p.exceptions.push(i);
    else if (d !== 0) {
      p.fixIdx.push(i);
      p.fixUlps.push(d);
    }
  }
  // Each extra decimal digit costs ~3.3 bits per value in the integer stream.
  p.cost = p.exceptions.length * 72 + p.fixIdx.length * 16 + vs.length * 3.32 * e;
  return p;
}

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/** Writes bits [t, t+len) of the 64-bit (hi, lo). */
function writeSpan(w: BitWriter, hi: number, lo: number, t: number, len: number): void {
  if (t >= 32) {
    w.write((hi >>> (t - 32)) >>> 0, len);
    return;
  }
  const nLo = Math.min(len, 32 - t);
  const nHi = len - nLo;
  if (nHi > 0) w.write((hi & (nHi === 32 ? 0xffffffff : (1 << nHi) - 1)) >>> 0, nHi);
  w.write((lo >>> t) & (nLo === 32 ? 0xffffffff : (1 << nLo) - 1), nLo);
}

/** Reads len bits placed at bit t into u32[HI]/u32[LO] (as XOR operands). */
function readSpan(r: BitReader, t: number, len: number, out: Uint32Array): void {
  if (t >= 32) {
    out[HI] = r.read(len) * 2 ** (t - 32);
    out[LO] = 0;
    return;
  }
  const nLo = Math.min(len, 32 - t);
  const nHi = len - nLo;
  out[HI] = nHi > 0 ? r.read(nHi) : 0;
  out[LO] = r.read(nLo) * 2 ** t;
}

function encodeXor(w: BitWriter, vs: ArrayLike<number>): void {
  const n = vs.length;
  f64[0] = vs[0]!;
  let pHi = u32[HI]!;
  let pLo = u32[LO]!;
  w.write(pHi, 32);
  w.write(pLo, 32);
  let lead = -1;
  let trail = 0;
  for (let i = 1; i < n; i++) {
    f64[0] = vs[i]!;
    const hi = u32[HI]!;
    const lo = u32[LO]!;
    const xh = (hi ^ pHi) >>> 0;
    const xl = (lo ^ pLo) >>> 0;
    pHi = hi;
    pLo = lo;
    if (xh === 0 && xl === 0) {
      w.write(0, 1);
      continue;
    }
    let l = clz64(xh, xl);
    const t = ctz64(xh, xl);
    if (l > 31) l = 31;
    if (lead >= 0 && l >= lead && t >= trail) {
      w.write(0b10, 2);
      writeSpan(w, xh, xl, trail, 64 - lead - trail);
      continue;
    }
    lead = l;
    trail = t;
    const len = 64 - l - t;
    w.write(0b11, 2);
    w.write(l, 5);
    w.write(len & 63, 6); // 64 is written as 0
    writeSpan(w, xh, xl, t, len);
  }
}

function decodeXor(r: BitReader, n: number, out: Float64Array): void {
  const x = new Uint32Array(2);
  let hi = r.read(32);
  let lo = r.read(32);
  u32[HI] = hi;
  u32[LO] = lo;
  out[0] = f64[0]!;
  let lead = 0;
  let trail = 0;
  for (let i = 1; i < n; i++) {
    if (r.bit() === 1) {
      if (r.bit() === 1) {
        lead = r.read(5);
        const len = r.read(6) || 64;
        trail = 64 - lead - len;
      }
      readSpan(r, trail, 64 - lead - trail, x);
      hi = (hi ^ x[HI]!) >>> 0;
      lo = (lo ^ x[LO]!) >>> 0;
      u32[HI] = hi;
      u32[LO] = lo;
    }
    out[i] = f64[0]!;
  }
}

function encodeDecimal(w: BitWriter, vs: ArrayLike<number>, p: DecimalPlan): void {
  const n = vs.length;
  w.write(p.e, 5);
  w.uint(p.fixIdx.length);
  let prev = 0;
  for (let j = 0; j < p.fixIdx.length; j++) {
    w.uint(p.fixIdx[j]! - prev);
    prev = p.fixIdx[j]!;
    w.sint(p.fixUlps[j]!);
  }
  w.uint(p.exceptions.length);
  prev = 0;
  for (const i of p.exceptions) {
    w.uint(i - prev);
    prev = i;
    f64[0] = vs[i]!;
    w.write(u32[HI]!, 32);
    w.write(u32[LO]!, 32);
  }
  const ints = new Float64Array(n - p.exceptions.length);
  let k = 0;
  let x = 0;
  const s = POW10[p.e]!;
  for (let i = 0; i < n; i++) {
    if (x < p.exceptions.length && p.exceptions[x] === i) {
      x++;
      continue;
    }
    ints[k++] = Math.round(vs[i]! * s);
  }
  encodeInts(w, ints);
}

function decodeDecimal(r: BitReader, n: number, out: Float64Array): void {
  const e = r.read(5);
  const nf = r.uint();
  const fixIdx: number[] = [];
  const fixUlps: number[] = [];
  let prev = 0;
  for (let j = 0; j < nf; j++) {
    prev += r.uint();
    fixIdx.push(prev);
    fixUlps.push(r.sint());
  }
  const nx = r.uint();
  const idx: number[] = [];
  const bits: number[] = [];
  prev = 0;
  for (let j = 0; j < nx; j++) {
    prev += r.uint();
    idx.push(prev);
    bits.push(r.read(32), r.read(32));
  }
  const s = POW10[e]!;
  if (nx === 0) {
    // The common case: every value is a decimal; decode in place.
    decodeInts(r, n, out);
    if (e > 0) for (let i = 0; i < n; i++) out[i] = out[i]! / s;
  } else {
    const ints = new Float64Array(n - nx);
    decodeInts(r, n - nx, ints);
    let k = 0;
    let x = 0;
    for (let i = 0; i < n; i++) {
      if (x < nx && idx[x] === i) {
        u32[HI] = bits[2 * x]!;
        u32[LO] = bits[2 * x + 1]!;
        out[i] = f64[0]!;
        x++;
      } else out[i] = e === 0 ? ints[k++]! : ints[k++]! / s;
    }
  }
  for (let j = 0; j < nf; j++) out[fixIdx[j]!] = addUlps(out[fixIdx[j]!]!, fixUlps[j]!);
}

const MODE_DECIMAL = 0;
const MODE_XOR = 1;

/** The values as one byte stream: count, coding, data. */
export function encodeValues(vs: ArrayLike<number>): Uint8Array {
  const n = vs.length;
  const head = (w: BitWriter, mode: number) => {
    w.uint(n);
    w.write(mode, 1);
  };
  if (n === 0) {
    const w = new BitWriter(8);
    head(w, MODE_XOR);
    return w.finish();
  }
  // The exponent with the least estimated cost among those that leave at most a quarter of
  // the values as raw exceptions; the smallest exact exponents of the values are the candidates.
  const cands = new Set<number>();
  for (let i = 0; i < n; i++) {
    const x = decimalExp(vs[i]!);
    if (x >= 0) cands.add(x);
    if (cands.size > MAX_EXP) break;
  }
  let best: DecimalPlan | undefined;
  for (const e of cands) {
    const p = planDecimal(vs, e);
    if (p.exceptions.length * 4 <= n && (!best || p.cost < best.cost)) best = p;
  }
  let decimal: Uint8Array | undefined;
  if (best) {
    const dw = new BitWriter(64 + n);
    head(dw, MODE_DECIMAL);
    encodeDecimal(dw, vs, best);
    decimal = dw.finish();
  }
  // XOR is tried too unless decimal is already tiny (constant or near-constant series).
  if (decimal && decimal.length * 8 <= n * 2) return decimal;
  const xw = new BitWriter(64 + n * 2);
  head(xw, MODE_XOR);
  encodeXor(xw, vs);
  const xor = xw.finish();
  return decimal && decimal.length <= xor.length ? decimal : xor;
}

/** Decodes a stream written by encodeValues. */
export function decodeValues(buf: Uint8Array, offset = 0, end = buf.length): Float64Array {
  const r = new BitReader(buf, offset, end);
  const n = r.uint();
  const out = new Float64Array(n);
  const mode = r.read(1);
  if (n === 0) return out;
  if (mode === MODE_DECIMAL) decodeDecimal(r, n, out);
  else decodeXor(r, n, out);
  return out;
}
