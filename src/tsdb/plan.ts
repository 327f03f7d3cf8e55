// Which tier answers a selection, from the engine's hints, and which roll-up aggregate stands in
// for the raw samples. A 7-day dashboard at a 10-minute step reads the 1-minute tier, not a week
// of 1 s samples; an instant query reads raw samples while the raw tier still has them.
//
// The tier is the coarsest one whose resolution r satisfies
//   r <= step (range queries; an instant query without a range selector wants raw samples), and
//   r <= range / 4 when there is a range selector inside a function (a bare `x[5m]` wants the raw
//   samples) (at least ~4 points per window: rate needs 2,
//   and *_over_time at the window edges stays within a quarter of the window).
// Parts of the time range that tier does not cover are read from the nearest finer tiers first
// (the newest hour is raw only: roll-ups are made when raw blocks are cut), then coarser ones
// (older than the tier's retention).
import type { SelectHints } from '../promql/queryable.js';
import { AGG_INDEX, type Aggregate } from './rollup.js';

export interface TierSpan {
  resolutionMs: number;
  /** Covered time: [minT, maxT] inclusive; empty when minT > maxT. */
  minT: number;
  maxT: number;
}

export interface Segment {
  tier: number;
  minT: number;
  maxT: number;
}

const RATE_LIKE = new Set(['rate', 'increase', 'irate']);
const LAST_LIKE = new Set([
  'last_over_time', 'present_over_time', 'absent_over_time', 'changes', 'resets', 'delta', 'idelta', 'deriv',
  'predict_linear', 'timestamp',
]);

/**
 * The roll-up aggregate that answers `func` (see README: roll-ups and functions):
 * rate/increase/irate on counters read the reset-adjusted counter, min/max/sum_over_time their
 * own aggregate, avg/stddev/stdvar/quantile_over_time the bucket means, count_over_time the
 * per-bucket counts, everything else (and instant selectors) the last value of each bucket.
 */
export function aggregateFor(func: string | undefined, counter: boolean): Aggregate {
  if (func === undefined) return 'last';
  if (RATE_LIKE.has(func)) return counter ? 'counter' : 'last';
  switch (func) {
    case 'min_over_time':
      return 'min';
    case 'max_over_time':
      return 'max';
    case 'sum_over_time':
      return 'sum';
    case 'count_over_time':
      return 'count';
    case 'avg_over_time':
    case 'stddev_over_time':
    case 'stdvar_over_time':
    case 'quantile_over_time':
      return 'avg';
  }
  return LAST_LIKE.has(func) ? 'last' : 'last';
}

/** Value streams a roll-up block must decode for an aggregate. */
export function streamsFor(agg: Aggregate, counter: boolean): number[] {
  if (agg === 'avg') return [AGG_INDEX.sum, AGG_INDEX.count];
  if (agg === 'counter') return counter ? [AGG_INDEX.counter] : [AGG_INDEX.last];
  return [AGG_INDEX[agg]];
}

/** Index of the tier wanted for these hints (tiers sorted by resolution, 0 = raw). */
export function wantedTier(hints: SelectHints, resolutions: readonly number[]): number {
  // The engine counts the points it gets: only raw samples count right (see README).
  if (hints.func === 'count_over_time') return 0;
  const step = hints.stepMs ?? 0;
  const range = hints.rangeMs ?? 0;
  // A range selector outside any function (`x[5m]` as the query): the answer is the samples
  // themselves, as Prometheus gives them, not one point per bucket.
  if (range > 0 && hints.func === undefined) return 0;
  let best = 0;
  for (let i = 1; i < resolutions.length; i++) {
    const r = resolutions[i]!;
    if (step > 0 && r > step) break;
    if (step === 0 && range === 0) break;
    if (range > 0 && r * 4 > range) break;
    best = i;
  }
  return best;
}

/**
 * Splits [minT, maxT] into segments, each read from one tier: the wanted tier where it has
 * data, finer tiers for newer parts, coarser tiers for older parts.
 */
export function planSegments(minT: number, maxT: number, wanted: number, spans: readonly TierSpan[]): Segment[] {
  const out: Segment[] = [];
  const take = (tier: number, lo: number, hi: number) => {
    const s = spans[tier]!;
    const a = Math.max(lo, s.minT);
    const b = Math.min(hi, s.maxT);
    return a <= b ? { tier, minT: a, maxT: b } : undefined;
  };
  const mid = take(wanted, minT, maxT);
  // Newer than the wanted tier reaches: finer tiers, coarsest first.
  let newFrom = mid ? mid.maxT + 1 : minT;
  const newer: Segment[] = [];
  for (let k = wanted - 1; k >= 0 && newFrom <= maxT; k--) {
    const s = take(k, newFrom, maxT);
    if (!s) continue;
    newer.push(s);
    newFrom = s.maxT + 1;
  }
  // Older than the wanted tier reaches: coarser tiers, finest first.
  const older: Segment[] = [];
  let oldTo = mid ? mid.minT - 1 : newer.length ? newer[0]!.minT - 1 : maxT;
  for (let k = wanted + 1; k < spans.length && oldTo >= minT; k++) {
    const s = take(k, minT, oldTo);
    if (!s) continue;
    older.push(s);
    oldTo = s.minT - 1;
  }
  // Finer tiers can also hold data older than the wanted tier (e.g. roll-ups deleted by the
  // disk cap): fill what is still missing at the old end from them.
  for (let k = wanted - 1; k >= 0 && oldTo >= minT; k--) {
    const s = take(k, minT, oldTo);
    if (!s) continue;
    older.push(s);
    oldTo = s.minT - 1;
  }
  out.push(...older.sort((a, b) => a.minT - b.minT));
  if (mid) out.push(mid);
  out.push(...newer);
  return out;
}
