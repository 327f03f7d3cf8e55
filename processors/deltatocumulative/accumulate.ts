// Running totals per stream for turning delta points into cumulative ones.
import type { HistogramDataPoint, NumberDataPoint } from '../../src/pdata/types.js';
import { sameBounds } from '../../src/processorhelper/series.js';

export interface SumState {
  start: bigint;
  time: bigint;
  value: number | bigint;
  seen: number;
}

export interface HistState {
  start: bigint;
  time: bigint;
  count: number;
  sum?: number;
  min?: number;
  max?: number;
  buckets: number[];
  bounds: number[];
  seen: number;
}

export type AccumulateResult = 'ok' | 'old' | 'limit';

function add(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a + b;
  return Number(a) + Number(b);
}

export function accumulateSum(
  states: Map<string, SumState>,
  key: string,
  dp: NumberDataPoint,
  now: number,
  maxStreams: number,
): AccumulateResult {
  const st = states.get(key);
  if (!st) {
    if (maxStreams > 0 && states.size >= maxStreams) return 'limit';
    const start = dp.startTimeUnixNano !== 0n ? dp.startTimeUnixNano : dp.timeUnixNano;
    states.set(key, { start, time: dp.timeUnixNano, value: dp.value, seen: now });
    dp.startTimeUnixNano = start;
    return 'ok';
  }
  // Late or duplicate deltas would be counted twice.
  if (dp.timeUnixNano <= st.time) return 'old';
  st.value = add(st.value, dp.value);
  st.time = dp.timeUnixNano;
  st.seen = now;
  dp.value = st.value;
  dp.startTimeUnixNano = st.start;
  return 'ok';
}

export function accumulateHist(
  states: Map<string, HistState>,
  key: string,
  dp: HistogramDataPoint,
  now: number,
  maxStreams: number,
): AccumulateResult {
  const st = states.get(key);
  if (!st || !sameBounds(st.bounds, dp.explicitBounds)) {
    if (!st && maxStreams > 0 && states.size >= maxStreams) return 'limit';
    if (st && dp.timeUnixNano <= st.time) return 'old';
    // New stream, or the bucket layout changed: start the total again from this point.
    const start = dp.startTimeUnixNano !== 0n ? dp.startTimeUnixNano : dp.timeUnixNano;
    dp.startTimeUnixNano = start;
    states.set(key, {
      start, time: dp.timeUnixNano, count: dp.count, sum: dp.sum, min: dp.min, max: dp.max,
      buckets: dp.bucketCounts.slice(), bounds: dp.explicitBounds.slice(), seen: now,
    });
    return 'ok';
  }
  if (dp.timeUnixNano <= st.time) return 'old';
  st.count += dp.count;
  if (st.sum !== undefined && dp.sum !== undefined) st.sum += dp.sum;
  else st.sum = undefined;
  if (dp.min !== undefined) st.min = st.min === undefined ? dp.min : Math.min(st.min, dp.min);
  if (dp.max !== undefined) st.max = st.max === undefined ? dp.max : Math.max(st.max, dp.max);
  st.buckets = st.buckets.map((c, i) => c + (dp.bucketCounts[i] ?? 0));
  st.time = dp.timeUnixNano;
  st.seen = now;
  dp.startTimeUnixNano = st.start;
  dp.count = st.count;
  dp.sum = st.sum;
  dp.min = st.min;
  dp.max = st.max;
  dp.bucketCounts = st.buckets.slice();
  return 'ok';
}
