// Token buckets per key: `rate` tokens per second up to `burst`; one record costs one token.
export class KeyedBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  static readonly OVERFLOW = '\u0000overflow';

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly maxKeys: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): boolean {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) {
        this.evictIdle(t);
        if (this.buckets.size >= this.maxKeys) key = KeyedBuckets.OVERFLOW;
      }
      b = this.buckets.get(key);
      if (!b) {
        b = { tokens: this.burst, at: t };
        this.buckets.set(key, b);
      }
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.rate);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Forget buckets that have refilled completely: they behave exactly like new ones. */
  private evictIdle(t: number): void {
    const full = this.rate > 0 ? (this.burst / this.rate) * 1000 : Infinity;
    for (const [k, b] of this.buckets) if (t - b.at >= full) this.buckets.delete(k);
  }
}
