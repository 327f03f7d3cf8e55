// Per-stream state for converting cumulative points to deltas.
import type { HistogramDataPoint, NumberDataPoint } from '../../src/pdata/types.js';
import { sameBounds } from '../../src/processorhelper/series.js';

export interface NumberState {
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
  buckets: number[];
  bounds: number[];
  seen: number;
}

export type Initial = 'auto' | 'keep' | 'drop';

/** Whether a first point may pass: its whole cumulative value happened while we watched. */
export function keepFirst(initial: Initial, start: bigint, startedAt: bigint): boolean {
  if (initial === 'keep') return true;
  if (initial === 'drop') return false;
  return start !== 0n && start >= startedAt;
}

function sub(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a - b;
  return Number(a) - Number(b);
}

/** Rewrite a cumulative number point as a delta in place; false = drop it. */
export function numberToDelta(
  states: Map<string, NumberState>,
  key: string,
  dp: NumberDataPoint,
  monotonic: boolean,
  initial: Initial,
  startedAt: bigint,
  now: number,
): boolean {
  const st = states.get(key);
  if (!st) {
    states.set(key, { start: dp.startTimeUnixNano, time: dp.timeUnixNano, value: dp.value, seen: now });
    return keepFirst(initial, dp.startTimeUnixNano, startedAt);
  }
  if (dp.timeUnixNano <= st.time) return false;
  const origStart = dp.startTimeUnixNano;
  const restarted = origStart !== 0n && origStart > st.start;
  const decreased = monotonic && Number(dp.value) < Number(st.value);
  const value = dp.value;
  if (restarted || decreased) {
    // A reset: everything counted since the restart is new.
    if (dp.startTimeUnixNano === 0n || dp.startTimeUnixNano <= st.time) dp.startTimeUnixNano = st.time;
  } else {
    dp.value = sub(value, st.value);
    dp.startTimeUnixNano = st.time;
  }
  if (restarted) st.start = origStart;
  st.time = dp.timeUnixNano;
  st.value = value;
  st.seen = now;
  return true;
}

export function histToDelta(
  states: Map<string, HistState>,
  key: string,
  dp: HistogramDataPoint,
  initial: Initial,
  startedAt: bigint,
  now: number,
): boolean {
  const st = states.get(key);
  const save = (): HistState => ({
    start: dp.startTimeUnixNano,
    time: dp.timeUnixNano,
    count: dp.count,
    sum: dp.sum,
    buckets: dp.bucketCounts.slice(),
    bounds: dp.explicitBounds.slice(),
    seen: now,
  });
  if (!st) {
    states.set(key, save());
    return keepFirst(initial, dp.startTimeUnixNano, startedAt);
  }
  if (dp.timeUnixNano <= st.time) return false;
  const restarted = dp.startTimeUnixNano !== 0n && dp.startTimeUnixNano > st.start;
  const decreased = dp.count < st.count || dp.bucketCounts.some((c, i) => c < (st.buckets[i] ?? 0));
  const next = save();
  if (!sameBounds(st.bounds, dp.explicitBounds) || restarted || decreased) {
    if (dp.startTimeUnixNano === 0n || dp.startTimeUnixNano <= st.time) dp.startTimeUnixNano = st.time;
  } else {
    dp.count -= st.count;
    if (dp.sum !== undefined && st.sum !== undefined) dp.sum -= st.sum;
    dp.bucketCounts = dp.bucketCounts.map((c, i) => c - (st.buckets[i] ?? 0));
    dp.startTimeUnixNano = st.time;
    // min/max of the interval cannot be derived from cumulative extremes.
    dp.min = undefined;
    dp.max = undefined;
  }
  next.start = restarted ? next.start : st.start;
  states.set(key, next);
  return true;
}
