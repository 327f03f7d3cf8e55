// The budget ledger of one objective: bad and total event counts per bucket (a minute for a
// 30-day objective, scaled with the window, at least 1 s), kept for the objective's window
// (at most window/bucket buckets: 43 200 for 30 days), and the periods the objective was
// breached (budget below zero). Serialised compactly for file_storage.

export interface LedgerJson {
  bucketMs: number;
  /** Start of the first bucket; e[i], t[i] are the bucket starting at start + i·bucketMs. */
  start: number;
  e: number[];
  t: number[];
  breaches: [number, number][];
  /** PromQL SLIs: end of the last bucket evaluated. */
  accounted: number;
}

export interface Sums {
  e: number;
  t: number;
  /** First and last bucket with events (start ms, end ms), or undefined. */
  first?: number;
  last?: number;
}

const MAX_BREACHES = 1000;
const round = (v: number): number => (Number.isInteger(v) ? v : Number(v.toPrecision(7)));

export class Ledger {
  private readonly buckets = new Map<number, [number, number]>();
  breaches: [number, number][] = [];
  accounted = 0;

  constructor(
    readonly bucketMs: number,
    readonly periodMs: number,
  ) {}

  bucketOf(t: number): number {
    return Math.floor(t / this.bucketMs) * this.bucketMs;
  }

  add(tMs: number, bad: number, total: number): void {
    if (!(bad >= 0) || !(total >= 0) || (bad === 0 && total === 0)) return;
    const b = this.bucketOf(tMs);
    const cur = this.buckets.get(b);
    if (cur) {
      cur[0] += bad;
      cur[1] += total;
    } else this.buckets.set(b, [bad, total]);
  }

  /** Drops what is older than the window (and breaches older than the window). */
  prune(nowMs: number): void {
    const min = this.bucketOf(nowMs - this.periodMs);
    for (const k of this.buckets.keys()) if (k < min) this.buckets.delete(k);
    while (this.breaches.length > 0 && this.breaches[0]![1] < nowMs - this.periodMs) this.breaches.shift();
    if (this.breaches.length > MAX_BREACHES) this.breaches.splice(0, this.breaches.length - MAX_BREACHES);
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Sums of the buckets starting in [from, to). */
  sums(from: number, to: number): Sums {
    const out: Sums = { e: 0, t: 0 };
    for (const [k, [e, t]] of this.buckets) {
      if (k < from || k >= to) continue;
      out.e += e;
      out.t += t;
      if (t > 0) {
        if (out.first === undefined || k < out.first) out.first = k;
        if (out.last === undefined || k + this.bucketMs > out.last) out.last = k + this.bucketMs;
      }
    }
    return out;
  }

  /** Several windows ending at `now` in one pass (each includes the bucket `now` is in). */
  windowSums(nowMs: number, windowsMs: readonly number[]): Sums[] {
    const out = windowsMs.map(() => ({ e: 0, t: 0 }) as Sums);
    const starts = windowsMs.map((w) => this.bucketOf(nowMs - w) + this.bucketMs);
    for (const [k, [e, t]] of this.buckets) {
      for (let i = 0; i < starts.length; i++) {
        if (k < starts[i]! || k > nowMs) continue;
        const s = out[i]!;
        s.e += e;
        s.t += t;
        if (t > 0) {
          if (s.first === undefined || k < s.first) s.first = k;
          if (s.last === undefined || k + this.bucketMs > s.last) s.last = k + this.bucketMs;
        }
      }
    }
    return out;
  }

  /** Marks `nowMs` as breached: extends the open breach (if it ended within `gapMs`) or opens one. */
  breach(nowMs: number, gapMs: number): void {
    const last = this.breaches.at(-1);
    if (last && nowMs - last[1] <= gapMs) last[1] = nowMs;
    else this.breaches.push([nowMs, nowMs]);
  }

  toJson(): LedgerJson {
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    const start = keys[0] ?? 0;
    const n = keys.length ? (keys.at(-1)! - start) / this.bucketMs + 1 : 0;
    const e = new Array<number>(n).fill(0);
    const t = new Array<number>(n).fill(0);
    for (const k of keys) {
      const i = (k - start) / this.bucketMs;
      const [be, bt] = this.buckets.get(k)!;
      e[i] = round(be);
      t[i] = round(bt);
    }
    return { bucketMs: this.bucketMs, start, e, t, breaches: this.breaches.map(([a, b]) => [a, b]), accounted: this.accounted };
  }

  /** Restores saved counts (re-bucketed when the bucket size changed). */
  load(j: LedgerJson): void {
    if (!j || !Array.isArray(j.e) || !Array.isArray(j.t) || !(j.bucketMs > 0)) return;
    for (let i = 0; i < j.e.length; i++) this.add(j.start + i * j.bucketMs, Number(j.e[i]), Number(j.t[i]));
    if (Array.isArray(j.breaches)) this.breaches = j.breaches.filter((b) => Array.isArray(b) && b.length === 2).map(([a, b]) => [Number(a), Number(b)]);
    if (j.bucketMs === this.bucketMs && typeof j.accounted === 'number') this.accounted = j.accounted;
  }
}
