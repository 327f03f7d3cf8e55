// Functions over range vectors, applied to one window of samples [lo, hi) of one series at a
// time, with Prometheus 2.42's arithmetic (same operations in the same order, so results are
// bit-identical: extrapolatedRate, Kahan sums, Welford variance, least squares).
import { QueryError } from './errors.js';
import { quantileSorted } from './mathfns.js';

/** Reused per call: the window's bounds and the step's other arguments. */
export interface WindowCtx {
  /** Evaluation time of the step (ms). */
  stepT: number;
  /** Window [rangeStart, rangeEnd] in ms (offset and @ applied). */
  rangeStart: number;
  rangeEnd: number;
  rangeMs: number;
  /** Scalar arguments of this step (quantile, predict_linear's duration, holt_winters factors). */
  arg0: number;
  arg1: number;
  scratch: Float64Array;
}

/** Returns the value, or undefined when the function produces nothing for this window. */
export type WindowFn = (t: Float64Array, v: Float64Array, lo: number, hi: number, c: WindowCtx) => number | undefined;

function extrapolatedRate(t: Float64Array, v: Float64Array, lo: number, hi: number, c: WindowCtx, isCounter: boolean, isRate: boolean): number | undefined {
  const n = hi - lo;
  if (n < 2) return undefined;
  const first = v[lo]!;
  let result = v[hi - 1]! - first;
  if (isCounter) {
    let prev = first;
    for (let k = lo + 1; k < hi; k++) {
      const cur = v[k]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
  }
  let durationToStart = (t[lo]! - c.rangeStart) / 1000;
  const durationToEnd = (c.rangeEnd - t[hi - 1]!) / 1000;
  const sampledInterval = (t[hi - 1]! - t[lo]!) / 1000;
  const avgBetween = sampledInterval / (n - 1);
  if (isCounter && result > 0 && first >= 0) {
    // A counter does not go below zero: do not extrapolate past where it would be 0.
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = avgBetween * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : avgBetween / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= c.rangeMs / 1000;
  return result * factor;
}

function instantValue(t: Float64Array, v: Float64Array, hi: number, lo: number, isRate: boolean): number | undefined {
  if (hi - lo < 2) return undefined;
  const last = v[hi - 1]!;
  const prev = v[hi - 2]!;
  let result = isRate && last < prev ? last : last - prev;
  const interval = t[hi - 1]! - t[hi - 2]!;
  if (interval === 0) return undefined;
  if (isRate) result /= interval / 1000;
  return result;
}

/** Neumaier's compensated sum step; returns the new sum, the compensation in `kc[0]`. */
let kc = 0;
function kahanInc(inc: number, sum: number): number {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) kc += sum - t + inc;
  else kc += inc - t + sum;
  return t;
}

let regIntercept = 0;
/** Least-squares slope (returned) and intercept at `interceptT` (in regIntercept). */
function linearRegression(t: Float64Array, v: Float64Array, lo: number, hi: number, interceptT: number): number {
  let n = 0;
  let sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = v[lo]!;
  let constY = true;
  for (let k = lo; k < hi; k++) {
    const y = v[k]!;
    if (constY && k > lo && y !== initY) constY = false;
    n += 1;
    const x = (t[k]! - interceptT) / 1e3;
    kc = cX; sumX = kahanInc(x, sumX); cX = kc;
    kc = cY; sumY = kahanInc(y, sumY); cY = kc;
    kc = cXY; sumXY = kahanInc(x * y, sumXY); cXY = kc;
    kc = cX2; sumX2 = kahanInc(x * x, sumX2); cX2 = kc;
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) {
      regIntercept = NaN;
      return NaN;
    }
    regIntercept = initY;
    return 0;
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  regIntercept = sumY / n - (slope * sumX) / n;
  return slope;
}

// The loops below inline Neumaier's step (t = sum + inc; c += sum > inc ? (sum - t) + inc :
// (inc - t) + sum) with locals: they are the hot path of *_over_time.

function avgOverTime(v: Float64Array, lo: number, hi: number): number {
  let mean = 0;
  let c = 0;
  let count = 0;
  for (let k = lo; k < hi; k++) {
    const x = v[k]!;
    count++;
    if (mean === Infinity || mean === -Infinity) {
      if ((x === Infinity || x === -Infinity) && mean > 0 === x > 0) continue;
      if (x !== Infinity && x !== -Infinity && x === x) continue;
    }
    const inc = x / count - mean / count;
    const t = mean + inc;
    if (Math.abs(mean) >= Math.abs(inc)) c += mean - t + inc;
    else c += inc - t + mean;
    mean = t;
  }
  if (mean === Infinity || mean === -Infinity) return mean;
  return mean + c;
}

function sumOverTime(v: Float64Array, lo: number, hi: number): number {
  let sum = 0;
  let c = 0;
  for (let k = lo; k < hi; k++) {
    const inc = v[k]!;
    const t = sum + inc;
    if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
    else c += inc - t + sum;
    sum = t;
  }
  if (sum === Infinity || sum === -Infinity) return sum;
  return sum + c;
}

function stdvarOverTime(v: Float64Array, lo: number, hi: number): number {
  let count = 0;
  let mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (let k = lo; k < hi; k++) {
    const x = v[k]!;
    count++;
    const delta = x - (mean + cMean);
    let inc = delta / count;
    let t = mean + inc;
    if (Math.abs(mean) >= Math.abs(inc)) cMean += mean - t + inc;
    else cMean += inc - t + mean;
    mean = t;
    inc = delta * (x - (mean + cMean));
    t = aux + inc;
    if (Math.abs(aux) >= Math.abs(inc)) cAux += aux - t + inc;
    else cAux += inc - t + aux;
    aux = t;
  }
  return (aux + cAux) / count;
}

function holtWinters(v: Float64Array, lo: number, hi: number, sf: number, tf: number): number | undefined {
  if (!(sf > 0 && sf < 1)) throw new QueryError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
  if (!(tf > 0 && tf < 1)) throw new QueryError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
  const l = hi - lo;
  if (l < 2) return undefined;
  let s0 = 0;
  let s1 = v[lo]!;
  let b = v[lo + 1]! - v[lo]!;
  for (let i = 1; i < l; i++) {
    const x = sf * v[lo + i]!;
    // Trend at i-1 (the first step keeps the initial trend).
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

export const RANGE_FUNCTIONS: ReadonlyMap<string, WindowFn> = new Map<string, WindowFn>([
  ['rate', (t, v, lo, hi, c) => extrapolatedRate(t, v, lo, hi, c, true, true)],
  ['increase', (t, v, lo, hi, c) => extrapolatedRate(t, v, lo, hi, c, true, false)],
  ['delta', (t, v, lo, hi, c) => extrapolatedRate(t, v, lo, hi, c, false, false)],
  ['irate', (t, v, lo, hi) => instantValue(t, v, hi, lo, true)],
  ['idelta', (t, v, lo, hi) => instantValue(t, v, hi, lo, false)],
  ['deriv', (t, v, lo, hi) => (hi - lo < 2 ? undefined : linearRegression(t, v, lo, hi, t[lo]!))],
  ['predict_linear', (t, v, lo, hi, c) => {
    if (hi - lo < 2) return undefined;
    const slope = linearRegression(t, v, lo, hi, c.stepT);
    return slope * c.arg0 + regIntercept;
  }],
  ['resets', (_t, v, lo, hi) => {
    let resets = 0;
    let prev = v[lo]!;
    for (let k = lo + 1; k < hi; k++) {
      const cur = v[k]!;
      if (cur < prev) resets++;
      prev = cur;
    }
    return resets;
  }],
  ['changes', (_t, v, lo, hi) => {
    let changes = 0;
    let prev = v[lo]!;
    for (let k = lo + 1; k < hi; k++) {
      const cur = v[k]!;
      if (cur !== prev && !(cur !== cur && prev !== prev)) changes++;
      prev = cur;
    }
    return changes;
  }],
  ['avg_over_time', (_t, v, lo, hi) => avgOverTime(v, lo, hi)],
  ['sum_over_time', (_t, v, lo, hi) => sumOverTime(v, lo, hi)],
  ['count_over_time', (_t, _v, lo, hi) => hi - lo],
  ['min_over_time', (_t, v, lo, hi) => {
    let min = v[lo]!;
    for (let k = lo; k < hi; k++) {
      const x = v[k]!;
      if (x < min || min !== min) min = x;
    }
    return min;
  }],
  ['max_over_time', (_t, v, lo, hi) => {
    let max = v[lo]!;
    for (let k = lo; k < hi; k++) {
      const x = v[k]!;
      if (x > max || max !== max) max = x;
    }
    return max;
  }],
  ['last_over_time', (_t, v, _lo, hi) => v[hi - 1]!],
  ['present_over_time', () => 1],
  ['stdvar_over_time', (_t, v, lo, hi) => stdvarOverTime(v, lo, hi)],
  ['stddev_over_time', (_t, v, lo, hi) => Math.sqrt(stdvarOverTime(v, lo, hi))],
  ['quantile_over_time', (_t, v, lo, hi, c) => {
    const n = hi - lo;
    const buf = c.scratch.length >= n ? c.scratch.subarray(0, n) : (c.scratch = new Float64Array(n * 2)).subarray(0, n);
    buf.set(v.subarray(lo, hi));
    return quantileSorted(c.arg0, sortNaNFirst(buf));
  }],
  ['holt_winters', (_t, v, lo, hi, c) => holtWinters(v, lo, hi, c.arg0, c.arg1)],
]);

/** Sorts ascending with NaN first, as Prometheus' vectorByValueHeap orders values. */
export function sortNaNFirst(a: Float64Array): Float64Array {
  a.sort();
  let nans = 0;
  while (nans < a.length && a[a.length - 1 - nans] !== a[a.length - 1 - nans]) nans++;
  if (nans > 0) {
    a.copyWithin(nans, 0, a.length - nans);
    a.fill(NaN, 0, nans);
  }
  return a;
}
