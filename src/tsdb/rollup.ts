// Roll-ups of raw samples into fixed buckets (1 min, 1 h by default). Each bucket keeps
// min, max, sum, count and last of its values, and for counters a reset-adjusted value, all at
// the time of the bucket's last sample, so that:
//   - avg_over_time = sum/count per bucket (exact when buckets hold as many samples each),
//     min/max/sum_over_time are exact up to the buckets at the window edges;
//   - rate/increase over the `counter` aggregate stay right across resets: it is the raw value
//     plus everything lost at earlier resets (a reset inside a bucket would otherwise hide the
//     increase before it), carried across blocks by CounterState;
//   - instant selectors and last_over_time see the real last value (`last`).
// A staleness marker after the last value of a bucket becomes one more point (every aggregate
// the marker), so series still end where they ended.
import { isStaleNaN, STALE_NAN } from '../promql/queryable.js';

export const AGGREGATES = ['min', 'max', 'sum', 'count', 'last', 'counter'] as const;
export type Aggregate = (typeof AGGREGATES)[number] | 'avg';
export const AGG_INDEX: Record<(typeof AGGREGATES)[number], number> = { min: 0, max: 1, sum: 2, count: 3, last: 4, counter: 5 };

/** Where a counter's adjusted value stands after the last sample rolled up. */
export interface CounterState {
  lastRaw: number;
  lastAdj: number;
}

export interface Rolled {
  t: Float64Array;
  /** min, max, sum, count, last, and counter (counters only). */
  vs: Float64Array[];
}

/** Reset-adjusted values of a counter (continuing `state`, updated in place). */
export function adjustCounter(v: Float64Array, state: CounterState | undefined): { adj: Float64Array; state: CounterState | undefined } {
  const adj = new Float64Array(v.length);
  let st = state ? { ...state } : undefined;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x) {
      adj[i] = x; // NaN / staleness: no effect on the running value
      continue;
    }
    if (!st) st = { lastRaw: x, lastAdj: x };
    else {
      st.lastAdj += x >= st.lastRaw ? x - st.lastRaw : x; // a drop is a reset: count from zero
      st.lastRaw = x;
    }
    adj[i] = st.lastAdj;
  }
  return { adj, state: st };
}

class Acc {
  t: number[] = [];
  cols: number[][];
  constructor(n: number) {
    this.cols = Array.from({ length: n }, () => []);
  }
  push(t: number, row: number[]): void {
    this.t.push(t);
    for (let i = 0; i < row.length; i++) this.cols[i]!.push(row[i]!);
  }
  done(): Rolled {
    return { t: Float64Array.from(this.t), vs: this.cols.map((c) => Float64Array.from(c)) };
  }
}

/**
 * Rolls raw samples up into buckets of `resMs`. `adj` (counters) are the reset-adjusted values
 * of the same samples (adjustCounter).
 */
export function rollupRaw(t: Float64Array, v: Float64Array, resMs: number, adj?: Float64Array): Rolled {
  const ncol = adj ? 6 : 5;
  const out = new Acc(ncol);
  const n = t.length;
  let i = 0;
  while (i < n) {
    const bucket = Math.floor(t[i]! / resMs);
    let min = NaN;
    let max = NaN;
    let sum = 0;
    let count = 0;
    let last = NaN;
    let lastT = -1;
    let lastAdj = NaN;
    let staleT = -1;
    for (; i < n && Math.floor(t[i]! / resMs) === bucket; i++) {
      const x = v[i]!;
      if (isStaleNaN(x)) {
        staleT = t[i]!;
        continue;
      }
      staleT = -1; // a value after a marker: the series came back
      if (x === x) {
        if (min !== min || x < min) min = x;
        if (max !== max || x > max) max = x;
      }
      sum += x;
      count++;
      last = x;
      lastT = t[i]!;
      if (adj) lastAdj = adj[i]!;
    }
    if (count > 0) {
      const row = [min, max, sum, count, last];
      if (adj) row.push(lastAdj);
      out.push(lastT, row);
    }
    if (staleT >= 0) out.push(staleT, Array.from({ length: ncol }, (_, k) => (k === 3 ? 0 : STALE_NAN)));
  }
  return out.done();
}

/**
 * Re-buckets roll-up points into buckets of `resMs` (merging blocks whose windows split a
 * bucket: a block_duration that is not a multiple of the resolution).
 */
export function rerollup(src: Rolled, resMs: number): Rolled {
  const ncol = src.vs.length;
  const { t, vs } = src;
  const n = t.length;
  let split = false;
  for (let i = 1; i < n && !split; i++) split = Math.floor(t[i]! / resMs) === Math.floor(t[i - 1]! / resMs) && !isStaleNaN(vs[4]![i - 1]!);
  if (!split) return src;
  const out = new Acc(ncol);
  let i = 0;
  while (i < n) {
    const bucket = Math.floor(t[i]! / resMs);
    let min = NaN;
    let max = NaN;
    let sum = 0;
    let count = 0;
    let last = NaN;
    let lastAdj = NaN;
    let lastT = -1;
    let staleT = -1;
    for (; i < n && Math.floor(t[i]! / resMs) === bucket; i++) {
      if (isStaleNaN(vs[4]![i]!)) {
        staleT = t[i]!;
        continue;
      }
      staleT = -1;
      const mn = vs[0]![i]!;
      const mx = vs[1]![i]!;
      if (mn === mn && (min !== min || mn < min)) min = mn;
      if (mx === mx && (max !== max || mx > max)) max = mx;
      sum += vs[2]![i]!;
      count += vs[3]![i]!;
      last = vs[4]![i]!;
      if (ncol > 5) lastAdj = vs[5]![i]!;
      lastT = t[i]!;
    }
    if (lastT >= 0) {
      const row = [min, max, sum, count, last];
      if (ncol > 5) row.push(lastAdj);
      out.push(lastT, row);
    }
    if (staleT >= 0) out.push(staleT, Array.from({ length: ncol }, (_, k) => (k === 3 ? 0 : STALE_NAN)));
  }
  return out.done();
}
