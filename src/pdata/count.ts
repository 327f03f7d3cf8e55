import type { LogsData, Metric, MetricsData, Signal, SignalData, TracesData } from './types.js';

/** Data points of one metric (the unit the Collector counts metrics in). */
export function metricPointCount(m: Metric): number {
  return m.type === 'empty' ? 0 : m.dataPoints.length;
}

export function countMetricPoints(d: MetricsData): number {
  let n = 0;
  for (const rm of d.resourceMetrics)
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += metricPointCount(m);
  return n;
}

export function countLogRecords(d: LogsData): number {
  let n = 0;
  for (const rl of d.resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
  return n;
}

export function countSpans(d: TracesData): number {
  let n = 0;
  for (const rs of d.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/** Items in a batch: data points, log records or spans. */
export function countItems<S extends Signal>(signal: S, data: SignalData[S]): number {
  switch (signal) {
    case 'metrics':
      return countMetricPoints(data as MetricsData);
    case 'logs':
      return countLogRecords(data as LogsData);
    default:
      return countSpans(data as TracesData);
  }
}

export function emptyData<S extends Signal>(signal: S): SignalData[S] {
  const d =
    signal === 'metrics'
      ? { resourceMetrics: [] }
      : signal === 'logs'
        ? { resourceLogs: [] }
        : { resourceSpans: [] };
  return d as unknown as SignalData[S];
}

/** The top-level list of a batch (resourceMetrics / resourceLogs / resourceSpans). */
export function resourceList<S extends Signal>(signal: S, data: SignalData[S]): unknown[] {
  if (signal === 'metrics') return (data as MetricsData).resourceMetrics;
  if (signal === 'logs') return (data as LogsData).resourceLogs;
  return (data as TracesData).resourceSpans;
}
