// Merging the points of one metric that end up with the same labels (metricstransform's
// aggregate_labels, aggregate_label_values, combine; OTTL's aggregate_on_attributes),
// with the Collector's aggregation types.
import type { Attributes, HistogramDataPoint, Metric, NumberDataPoint } from '../pdata/types.js';
import type { DataPoint } from './iterate.js';
import { attrsKey, sameBounds } from './series.js';

export type Aggregation = 'sum' | 'mean' | 'min' | 'max' | 'count' | 'median';

function numbers(points: NumberDataPoint[], how: Aggregation): number | bigint {
  const allInt = points.every((p) => typeof p.value === 'bigint');
  if (how === 'count') return BigInt(points.length);
  if (allInt && (how === 'sum' || how === 'min' || how === 'max')) {
    const vs = points.map((p) => p.value as bigint);
    if (how === 'sum') return vs.reduce((a, b) => a + b, 0n);
    return vs.reduce((a, b) => ((how === 'min' ? b < a : b > a) ? b : a));
  }
  const vs = points.map((p) => Number(p.value));
  switch (how) {
    case 'sum':
      return vs.reduce((a, b) => a + b, 0);
    case 'mean':
      return vs.reduce((a, b) => a + b, 0) / vs.length;
    case 'min':
      return Math.min(...vs);
    case 'max':
      return Math.max(...vs);
    default: {
      const s = [...vs].sort((a, b) => a - b);
      const mid = s.length >> 1;
      return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
    }
  }
}

function times<P extends { startTimeUnixNano: bigint; timeUnixNano: bigint }>(ps: P[]): { startTimeUnixNano: bigint; timeUnixNano: bigint } {
  let start = ps[0]!.startTimeUnixNano;
  let time = ps[0]!.timeUnixNano;
  for (const p of ps) {
    if (p.startTimeUnixNano !== 0n && (start === 0n || p.startTimeUnixNano < start)) start = p.startTimeUnixNano;
    if (p.timeUnixNano > time) time = p.timeUnixNano;
  }
  return { startTimeUnixNano: start, timeUnixNano: time };
}

/** Sum of histograms with the same bounds; undefined when they cannot be added. */
function histograms(ps: HistogramDataPoint[], attributes: Attributes): HistogramDataPoint | undefined {
  const first = ps[0]!;
  if (!ps.every((p) => sameBounds(p.explicitBounds, first.explicitBounds) && p.bucketCounts.length === first.bucketCounts.length)) return undefined;
  const out: HistogramDataPoint = {
    attributes, ...times(ps), count: 0, bucketCounts: first.bucketCounts.map(() => 0), explicitBounds: [...first.explicitBounds],
  };
  let sum = 0;
  let hasSum = true;
  for (const p of ps) {
    out.count += p.count;
    p.bucketCounts.forEach((c, i) => (out.bucketCounts[i]! += c));
    if (p.sum === undefined) hasSum = false;
    else sum += p.sum;
    if (p.min !== undefined) out.min = out.min === undefined ? p.min : Math.min(out.min, p.min);
    if (p.max !== undefined) out.max = out.max === undefined ? p.max : Math.max(out.max, p.max);
  }
  if (hasSum) out.sum = sum;
  return out;
}

/**
 * Merge points with equal attributes. Returns a reason when the metric's type cannot be merged
 * this way (histograms only add up; exponential histograms and summaries are left as they are).
 */
export function mergePoints(m: Metric, how: Aggregation): string | undefined {
  if (m.type === 'empty') return undefined;
  const groups = new Map<string, DataPoint[]>();
  for (const p of m.dataPoints as DataPoint[]) {
    const k = attrsKey(p.attributes);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  if ([...groups.values()].every((g) => g.length === 1)) return undefined;
  if (m.type === 'gauge' || m.type === 'sum') {
    m.dataPoints = [...groups.values()].map((g) =>
      g.length === 1 ? (g[0] as NumberDataPoint) : { attributes: g[0]!.attributes, ...times(g), value: numbers(g as NumberDataPoint[], how) },
    );
    return undefined;
  }
  if (m.type === 'histogram') {
    if (how !== 'sum') return `histogram points can only be aggregated with "sum", not "${how}"`;
    const merged: HistogramDataPoint[] = [];
    for (const g of groups.values()) {
      const h = g.length === 1 ? (g[0] as HistogramDataPoint) : histograms(g as HistogramDataPoint[], g[0]!.attributes);
      if (!h) return 'histogram points with different bucket bounds cannot be added';
      merged.push(h);
    }
    m.dataPoints = merged;
    return undefined;
  }
  return `${m.type} points cannot be aggregated`;
}
