// Taking the first N items off a batch (the batch processor's send_batch_max_size).
import type { LogsData, Metric, MetricsData, Signal, SignalData, TracesData } from './types.js';
import { countItems, emptyData, metricPointCount, resourceList } from './count.js';

function splitMetric(m: Metric, n: number): [Metric, Metric] {
  if (m.type === 'empty') return [m, m];
  const head = { ...m, dataPoints: m.dataPoints.slice(0, n) } as Metric;
  const rest = { ...m, dataPoints: m.dataPoints.slice(n) } as Metric;
  return [head, rest];
}

function takeMetrics(d: MetricsData, max: number): [MetricsData, MetricsData] {
  const head: MetricsData = { resourceMetrics: [] };
  const rest: MetricsData = { resourceMetrics: [] };
  let left = max;
  for (const rm of d.resourceMetrics) {
    if (left <= 0) {
      rest.resourceMetrics.push(rm);
      continue;
    }
    const hs = [];
    const rs = [];
    for (const sm of rm.scopeMetrics) {
      if (left <= 0) {
        rs.push(sm);
        continue;
      }
      const hm: Metric[] = [];
      const rmets: Metric[] = [];
      for (const m of sm.metrics) {
        const n = metricPointCount(m);
        if (left <= 0) rmets.push(m);
        else if (n <= left) {
          hm.push(m);
          left -= n;
        } else {
          const [h, r] = splitMetric(m, left);
          hm.push(h);
          rmets.push(r);
          left = 0;
        }
      }
      if (hm.length > 0) hs.push({ ...sm, metrics: hm });
      if (rmets.length > 0) rs.push({ ...sm, metrics: rmets });
    }
    if (hs.length > 0) head.resourceMetrics.push({ ...rm, scopeMetrics: hs });
    if (rs.length > 0) rest.resourceMetrics.push({ ...rm, scopeMetrics: rs });
  }
  return [head, rest];
}

/** Generic 3-level split (resource → scope → records) for logs and traces. */
function take3<R, Sc, I>(
  list: R[],
  max: number,
  scopesOf: (r: R) => Sc[],
  withScopes: (r: R, s: Sc[]) => R,
  itemsOf: (s: Sc) => I[],
  withItems: (s: Sc, i: I[]) => Sc,
): [R[], R[]] {
  const head: R[] = [];
  const rest: R[] = [];
  let left = max;
  for (const r of list) {
    if (left <= 0) {
      rest.push(r);
      continue;
    }
    const hs: Sc[] = [];
    const rs: Sc[] = [];
    for (const sc of scopesOf(r)) {
      const items = itemsOf(sc);
      if (left <= 0) rs.push(sc);
      else if (items.length <= left) {
        hs.push(sc);
        left -= items.length;
      } else {
        hs.push(withItems(sc, items.slice(0, left)));
        rs.push(withItems(sc, items.slice(left)));
        left = 0;
      }
    }
    if (hs.length > 0) head.push(withScopes(r, hs));
    if (rs.length > 0) rest.push(withScopes(r, rs));
  }
  return [head, rest];
}

/**
 * Splits `data` into its first `max` items and the rest. The input's containers may be reused
 * by the outputs; do not use `data` afterwards.
 */
export function splitItems<S extends Signal>(signal: S, data: SignalData[S], max: number): [SignalData[S], SignalData[S]] {
  if (countItems(signal, data) <= max) return [data, emptyData(signal)];
  if (signal === 'metrics') return takeMetrics(data as MetricsData, max) as [SignalData[S], SignalData[S]];
  if (signal === 'logs') {
    const [h, r] = take3(
      (data as LogsData).resourceLogs,
      max,
      (x) => x.scopeLogs,
      (x, s) => ({ ...x, scopeLogs: s }),
      (s) => s.logRecords,
      (s, i) => ({ ...s, logRecords: i }),
    );
    return [{ resourceLogs: h }, { resourceLogs: r }] as [SignalData[S], SignalData[S]];
  }
  const [h, r] = take3(
    (data as TracesData).resourceSpans,
    max,
    (x) => x.scopeSpans,
    (x, s) => ({ ...x, scopeSpans: s }),
    (s) => s.spans,
    (s, i) => ({ ...s, spans: i }),
  );
  return [{ resourceSpans: h }, { resourceSpans: r }] as [SignalData[S], SignalData[S]];
}

/** Appends b's resources to a (batches are lists of resources; no dedup, as in the Collector). */
export function appendBatch<S extends Signal>(signal: S, a: SignalData[S], b: SignalData[S]): void {
  resourceList(signal, a).push(...resourceList(signal, b));
}

/**
 * Two batches with about half the items each, structure kept (a single metric with many points
 * is split by points): for a request a backend refused as too large. Undefined below 2 items.
 */
export function splitHalf<S extends Signal>(signal: S, data: SignalData[S]): [SignalData[S], SignalData[S]] | undefined {
  const total = countItems(signal, data);
  if (total < 2) return undefined;
  return splitItems(signal, data, Math.floor(total / 2));
}
