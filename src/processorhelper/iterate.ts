// Walk and prune batches of any signal. Pruning removes scopes and resources left empty, as the
// Collector does, so exporters never see hollow containers.
import type {
  InstrumentationScope,
  LogRecord,
  LogsData,
  Metric,
  MetricsData,
  Resource,
  Span,
  TracesData,
} from '../pdata/types.js';

export type DataPoint = Exclude<Metric, { type: 'empty' }>['dataPoints'][number];

export function retainLogs(
  d: LogsData,
  keep: (lr: LogRecord, scope: InstrumentationScope, res: Resource) => boolean,
): void {
  d.resourceLogs = d.resourceLogs.filter((rl) => {
    rl.scopeLogs = rl.scopeLogs.filter((sl) => {
      sl.logRecords = sl.logRecords.filter((lr) => keep(lr, sl.scope, rl.resource));
      return sl.logRecords.length > 0;
    });
    return rl.scopeLogs.length > 0;
  });
}

export function retainSpans(d: TracesData, keep: (sp: Span, scope: InstrumentationScope, res: Resource) => boolean): void {
  d.resourceSpans = d.resourceSpans.filter((rs) => {
    rs.scopeSpans = rs.scopeSpans.filter((ss) => {
      ss.spans = ss.spans.filter((sp) => keep(sp, ss.scope, rs.resource));
      return ss.spans.length > 0;
    });
    return rs.scopeSpans.length > 0;
  });
}

export function retainMetrics(
  d: MetricsData,
  keep: (m: Metric, scope: InstrumentationScope, res: Resource) => boolean,
): void {
  d.resourceMetrics = d.resourceMetrics.filter((rm) => {
    rm.scopeMetrics = rm.scopeMetrics.filter((sm) => {
      sm.metrics = sm.metrics.filter((m) => keep(m, sm.scope, rm.resource));
      return sm.metrics.length > 0;
    });
    return rm.scopeMetrics.length > 0;
  });
}

/** Filter data points; a metric whose points are all gone is removed too. */
export function retainDataPoints(
  d: MetricsData,
  keep: (dp: DataPoint, m: Metric, scope: InstrumentationScope, res: Resource) => boolean,
): void {
  retainMetrics(d, (m, scope, res) => {
    if (m.type === 'empty') return true;
    const before = m.dataPoints.length;
    const kept = (m.dataPoints as DataPoint[]).filter((dp) => keep(dp, m, scope, res));
    if (kept.length === before) return true;
    (m as { dataPoints: DataPoint[] }).dataPoints = kept;
    return kept.length > 0;
  });
}

export function forEachDataPoint(
  d: MetricsData,
  fn: (dp: DataPoint, m: Metric, scope: InstrumentationScope, res: Resource) => void,
): void {
  for (const rm of d.resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) {
        if (m.type === 'empty') continue;
        for (const dp of m.dataPoints as DataPoint[]) fn(dp, m, sm.scope, rm.resource);
      }
}

/** Every resource of a batch of any signal. */
export function resources(d: MetricsData | LogsData | TracesData): Resource[] {
  if ('resourceMetrics' in d) return d.resourceMetrics.map((r) => r.resource);
  if ('resourceLogs' in d) return d.resourceLogs.map((r) => r.resource);
  return d.resourceSpans.map((r) => r.resource);
}
