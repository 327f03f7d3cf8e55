// The in-memory head of one series: recent samples not yet in a block. The newest samples sit
// in a small raw tail (two Float64Arrays growing to CUT samples); full tails are encoded with the
// block codec into head chunks. A tail is also cut at every block boundary, so a head chunk
// always belongs to exactly one block window and compaction just takes whole chunks.
//
// Cost per series (measured by bench:history): the tail (16 B per sample, at most CUT samples,
// allocated by doubling from 8) plus the encoded chunks (about the on-disk size of the same
// samples, timestamps not shared) plus the Series object and its labels. Every MERGE small
// chunks of a window are re-encoded into one, so an hour at 1 s is ~4 chunks, not 30.
import { isStaleNaN } from '../promql/queryable.js';
import { decodeTimes, encodeTimes } from './intcodec.js';
import { decodeValues, encodeValues } from './floatcodec.js';

export const CUT = 120;
/** Small chunks of one window are merged by this many into one (fewer objects, better coding). */
const MERGE = 8;

/** Encoded samples: the time stream then the value stream, in one buffer (one allocation). */
export interface HeadChunk {
  minT: number;
  maxT: number;
  n: number;
  buf: Uint8Array;
  tLen: number;
}

function encodeChunk(t: Float64Array, v: Float64Array): HeadChunk {
  const tb = encodeTimes(t);
  const vb = encodeValues(v);
  const buf = new Uint8Array(tb.length + vb.length);
  buf.set(tb);
  buf.set(vb, tb.length);
  return { minT: t[0]!, maxT: t[t.length - 1]!, n: t.length, buf, tLen: tb.length };
}

function decodeChunk(c: HeadChunk): SampleArrays {
  return { t: decodeTimes(c.buf, 0, c.tLen), v: decodeValues(c.buf, c.tLen, c.buf.length) };
}

export interface SampleArrays {
  t: Float64Array;
  v: Float64Array;
}

export const EMPTY: SampleArrays = { t: new Float64Array(0), v: new Float64Array(0) };

function sameBits(a: number, b: number): boolean {
  return a === b ? a !== 0 || Object.is(a, b) : a !== a && b !== b && isStaleNaN(a) === isStaleNaN(b);
}

export { sameBits };

export class HeadSeries {
  /**
   * @param cutAt tail size at which this series cuts a chunk (CUT/2..CUT, by series): series
   * scraped together would otherwise all cut, and merge, in the same append.
   */
  constructor(private readonly cutAt = CUT) {}
  chunks: HeadChunk[] = [];
  tailT = new Float64Array(8);
  tailV = new Float64Array(8);
  tailN = 0;

  /** Appends a sample later than every sample held (the caller checked the order). */
  append(t: number, v: number, blockMs: number): void {
    if (this.tailN > 0) {
      const first = this.tailT[0]!;
      if (this.tailN >= this.cutAt || Math.floor(t / blockMs) !== Math.floor(first / blockMs)) this.cut(blockMs);
    }
    if (this.tailN === this.tailT.length) {
      const cap = Math.min(CUT, this.tailT.length * 2);
      const nt = new Float64Array(cap);
      const nv = new Float64Array(cap);
      nt.set(this.tailT);
      nv.set(this.tailV);
      this.tailT = nt;
      this.tailV = nv;
    }
    this.tailT[this.tailN] = t;
    this.tailV[this.tailN] = v;
    this.tailN++;
  }

  /** The latest sample, if any. */
  last(): { t: number; v: number } | undefined {
    if (this.tailN > 0) return { t: this.tailT[this.tailN - 1]!, v: this.tailV[this.tailN - 1]! };
    const c = this.chunks[this.chunks.length - 1];
    if (!c) return undefined;
    const { t, v } = decodeChunk(c);
    return { t: t[t.length - 1]!, v: v[v.length - 1]! };
  }

  /** Drops a trailing staleness marker (a late sample of a series marked stale too early). */
  dropTrailingStale(): boolean {
    if (this.tailN > 0 && isStaleNaN(this.tailV[this.tailN - 1]!)) {
      this.tailN--;
      return true;
    }
    return false;
  }

  /** Whether the raw tail holds exactly this sample (a re-delivered duplicate). */
  tailHas(t: number, v: number): boolean {
    for (let i = this.tailN - 1; i >= 0; i--) {
      const ti = this.tailT[i]!;
      if (ti === t) return sameBits(this.tailV[i]!, v);
      if (ti < t) return false;
    }
    return false;
  }

  cut(blockMs = Infinity): void {
    if (this.tailN === 0) return;
    this.chunks.push(encodeChunk(this.tailT.subarray(0, this.tailN), this.tailV.subarray(0, this.tailN)));
    this.tailN = 0;
    const k = this.chunks.length;
    if (k < MERGE) return;
    const first = this.chunks[k - MERGE]!;
    const last = this.chunks[k - 1]!;
    if (first.n > CUT || Math.floor(first.minT / blockMs) !== Math.floor(last.maxT / blockMs)) return;
    for (let i = k - MERGE; i < k; i++) if (this.chunks[i]!.n > CUT) return;
    const parts = this.chunks.slice(k - MERGE).map(decodeChunk);
    const all = concat(parts, parts.reduce((n, p) => n + p.t.length, 0));
    this.chunks.splice(k - MERGE, MERGE, encodeChunk(all.t, all.v));
  }

  get minT(): number {
    if (this.chunks.length) return this.chunks[0]!.minT;
    return this.tailN ? this.tailT[0]! : Infinity;
  }

  get maxT(): number {
    if (this.tailN) return this.tailT[this.tailN - 1]!;
    const c = this.chunks[this.chunks.length - 1];
    return c ? c.maxT : -Infinity;
  }

  get samples(): number {
    let n = this.tailN;
    for (const c of this.chunks) n += c.n;
    return n;
  }

  get empty(): boolean {
    return this.tailN === 0 && this.chunks.length === 0;
  }

  /** Bytes held (typed arrays and encoded chunks; object headers not counted). */
  get bytes(): number {
    let n = this.tailT.byteLength + this.tailV.byteLength;
    for (const c of this.chunks) n += c.buf.byteLength + 48;
    return n;
  }

  /** Samples with minT <= t <= maxT, in order. */
  read(minT: number, maxT: number): SampleArrays {
    const parts: SampleArrays[] = [];
    let total = 0;
    for (const c of this.chunks) {
      if (c.maxT < minT || c.minT > maxT) continue;
      const p = decodeChunk(c);
      parts.push(p);
      total += p.t.length;
    }
    if (this.tailN && this.tailT[this.tailN - 1]! >= minT && this.tailT[0]! <= maxT) {
      parts.push({ t: this.tailT.slice(0, this.tailN), v: this.tailV.slice(0, this.tailN) });
      total += this.tailN;
    }
    return clip(concat(parts, total), minT, maxT);
  }

  /** Samples before `b` (whole chunks: the tail is cut first when it lies entirely before b). */
  before(b: number): SampleArrays {
    if (this.tailN && this.tailT[this.tailN - 1]! < b) this.cut();
    const parts: SampleArrays[] = [];
    let total = 0;
    for (const c of this.chunks) {
      if (c.maxT >= b) break;
      const p = decodeChunk(c);
      parts.push(p);
      total += p.t.length;
    }
    return concat(parts, total);
  }

  /** Forgets the chunks before `b` (after they were written to a block). */
  dropBefore(b: number): void {
    let i = 0;
    while (i < this.chunks.length && this.chunks[i]!.maxT < b) i++;
    if (i) this.chunks.splice(0, i);
    if (this.tailN && this.tailT[this.tailN - 1]! < b) this.tailN = 0;
  }
}

export function concat(parts: SampleArrays[], total: number): SampleArrays {
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1) return parts[0]!;
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let o = 0;
  for (const p of parts) {
    t.set(p.t, o);
    v.set(p.v, o);
    o += p.t.length;
  }
  return { t, v };
}

/** The samples with minT <= t <= maxT (views, no copy). */
export function clip(s: SampleArrays, minT: number, maxT: number): SampleArrays {
  const n = s.t.length;
  if (n === 0 || (s.t[0]! >= minT && s.t[n - 1]! <= maxT)) return s;
  let lo = 0;
  while (lo < n && s.t[lo]! < minT) lo++;
  let hi = n;
  while (hi > lo && s.t[hi - 1]! > maxT) hi--;
  return { t: s.t.subarray(lo, hi), v: s.v.subarray(lo, hi) };
}
