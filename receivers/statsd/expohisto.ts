// Exponential histogram with automatic downscaling (OTLP base-2 buckets): start fine
// (scale 20) and halve resolution whenever a sign's index range would exceed maxSize.
import type { ExponentialHistogramDataPoint } from '../../src/pdata/types.js';

const MAX_SCALE = 20;

class Buckets {
  counts = new Map<number, number>();
  min = Infinity;
  max = -Infinity;
  add(idx: number, w: number): void {
    this.counts.set(idx, (this.counts.get(idx) ?? 0) + w);
    if (idx < this.min) this.min = idx;
    if (idx > this.max) this.max = idx;
  }
  downscale(by: number): void {
    const f = 2 ** by;
    const old = this.counts;
    this.counts = new Map();
    this.min = Infinity;
    this.max = -Infinity;
    for (const [i, c] of old) this.add(Math.floor(i / f), c);
  }
  /** Dense OTLP buckets; weights (sample-rate scaled) rounded to whole counts. */
  dense(): { offset: number; bucketCounts: number[]; total: number } {
    if (this.counts.size === 0) return { offset: 0, bucketCounts: [], total: 0 };
    const out = new Array<number>(this.max - this.min + 1).fill(0);
    let total = 0;
    for (const [i, c] of this.counts) {
      const r = Math.round(c);
      out[i - this.min] = r;
      total += r;
    }
    return { offset: this.min, bucketCounts: out, total };
  }
}

export class ExpHistogram {
  scale = MAX_SCALE;
  private pos = new Buckets();
  private neg = new Buckets();
  private zero = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(private readonly maxSize: number) {}

  /** Record `v` with weight `w` (1/sample rate). */
  add(v: number, w: number): void {
    this.sum += v * w;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v === 0) {
      this.zero += w;
      return;
    }
    const b = v > 0 ? this.pos : this.neg;
    let idx = this.index(Math.abs(v));
    const lo = Math.min(b.min, idx);
    const hi = Math.max(b.max, idx);
    let shift = 0;
    while (Math.floor(hi / 2 ** shift) - Math.floor(lo / 2 ** shift) + 1 > this.maxSize) shift++;
    if (shift > 0) {
      this.scale -= shift;
      this.pos.downscale(shift);
      this.neg.downscale(shift);
      idx = this.index(Math.abs(v));
    }
    b.add(idx, w);
  }

  /** Bucket index: value in (base^idx, base^(idx+1)], base = 2^(2^-scale). */
  private index(a: number): number {
    return Math.ceil(Math.log2(a) * 2 ** this.scale) - 1;
  }

  point(attributes: ExponentialHistogramDataPoint['attributes'], start: bigint, now: bigint): ExponentialHistogramDataPoint {
    const p = this.pos.dense();
    const n = this.neg.dense();
    const zero = Math.round(this.zero);
    return {
      attributes,
      startTimeUnixNano: start,
      timeUnixNano: now,
      count: p.total + n.total + zero,
      sum: this.sum,
      scale: this.scale,
      zeroCount: zero,
      positive: { offset: p.offset, bucketCounts: p.bucketCounts },
      negative: { offset: n.offset, bucketCounts: n.bucketCounts },
      min: this.min,
      max: this.max,
    };
  }
}
