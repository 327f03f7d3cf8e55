// Per-template rate baseline: records are counted in fixed buckets; an EW mean of past bucket
// counts is the baseline, and a bucket that climbs past `factor` x baseline (and `minCount`)
// is a rate jump. Quiet buckets count as zeros. 5 numbers per template.

interface Rate {
  bucket: number;
  count: number;
  mean: number;
  /** Closed buckets seen; the baseline is trusted after a few. */
  closed: number;
}

const ALPHA = 0.1;
const MIN_BUCKETS = 3;

export class RateTracker {
  private rates = new Map<string, Rate>();

  constructor(
    private windowMs: number,
    private factor: number,
    private minCount: number,
  ) {}

  /** Counts one record; true when its template's current bucket is a rate jump. */
  record(id: string, nowMs: number): boolean {
    const b = Math.floor(nowMs / this.windowMs);
    let r = this.rates.get(id);
    if (!r) {
      r = { bucket: b, count: 0, mean: 0, closed: 0 };
      this.rates.set(id, r);
    }
    if (b > r.bucket) {
      // Close the finished bucket, then the empty ones in between (as zeros).
      r.mean += ALPHA * (r.count - r.mean);
      const gap = Math.min(b - r.bucket - 1, 1000);
      r.mean *= Math.pow(1 - ALPHA, gap);
      r.closed += 1 + gap;
      r.bucket = b;
      r.count = 0;
    }
    r.count++;
    return r.closed >= MIN_BUCKETS && r.count >= this.minCount && r.count > this.factor * Math.max(r.mean, 1);
  }

  forget(id: string): void {
    this.rates.delete(id);
  }
}
