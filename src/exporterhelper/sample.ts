import type { LogsData, MetricsData, Signal, SignalData, TracesData } from '../pdata/types.js';

// A short hint of what was refused: names and shapes only, never values
// (they may carry secrets).
export function sampleOf<S extends Signal>(signal: S, data: SignalData[S]): string {
  if (signal === 'metrics') {
    const m = (data as MetricsData).resourceMetrics[0]?.scopeMetrics[0]?.metrics[0];
    return m ? `metric ${m.name} (${m.type})` : 'empty batch';
  }
  if (signal === 'logs') {
    const r = (data as LogsData).resourceLogs[0]?.scopeLogs[0]?.logRecords[0];
    if (!r) return 'empty batch';
    const body = typeof r.body === 'string' ? `${r.body.length} chars` : r.body === null ? 'empty' : typeof r.body;
    return `log severity ${r.severityText ?? r.severityNumber}, body ${body}`;
  }
  const sp = (data as TracesData).resourceSpans[0]?.scopeSpans[0]?.spans[0];
  return sp ? `span ${sp.name}` : 'empty batch';
}
