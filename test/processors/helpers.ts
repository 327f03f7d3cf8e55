// Builders and a capturing sink for processor unit tests.
import type { ProcessorFactory, Processor, Host } from '../../src/component/component.js';
import { ParseContext } from '../../src/config/schema.js';
import type { Consumer } from '../../src/component/consumer.js';
import { testHost } from '../helpers/host.js';
import { testSettings, type TestSettings } from '../helpers/settings.js';
import type {
  Attributes, LogRecord, LogsData, Metric, MetricsData, NumberDataPoint, Signal, SignalData, Span, TracesData,
} from '../../src/pdata/types.js';

/** Labelled `{processor: <id>}`, as the agent does. */
export function settings(id = 'proc'): TestSettings {
  return testSettings(id, 'processor');
}

/** Parse and validate a raw config the way the agent does; throws with every message. */
export function parseConfig<C>(f: ProcessorFactory<C>, raw: unknown): C {
  const ctx = new ParseContext();
  const cfg = f.config.parse(raw, ctx);
  const errs = [...ctx.issues.map((i) => `${i.path.join('.')}: ${i.message}`), ...(ctx.issues.length ? [] : (f.validate?.(cfg) ?? []).map((m) => (typeof m === 'string' ? m : `${m.path.join('.')}: ${m.message}`)))];
  if (errs.length) throw new Error(errs.join('\n'));
  return cfg;
}

export class Sink<T> implements Consumer<T> {
  readonly batches: T[] = [];
  async consume(d: T): Promise<void> {
    this.batches.push(d);
  }
}

export const host: Host = testHost();

export async function make<C, S extends Signal>(
  f: ProcessorFactory<C>,
  raw: unknown,
  signal: S,
  id = f.type,
): Promise<{ p: Processor<SignalData[S]>; sink: Sink<SignalData[S]>; set: ReturnType<typeof settings> }> {
  const set = settings(id);
  const sink = new Sink<SignalData[S]>();
  const p = f.create(set, parseConfig(f, raw), signal, sink);
  await p.start(host);
  return { p, sink, set };
}

export function metricValue(set: ReturnType<typeof settings>, name: string, labels: Record<string, string> = {}): number {
  const text = set.registry.renderPrometheus();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return 0;
}

export function log(body: string, attributes: Attributes = {}, extra: Partial<LogRecord> = {}): LogRecord {
  return { timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: 9, severityText: 'INFO', body, attributes, ...extra };
}

export function logs(records: LogRecord[], resource: Attributes = {}, scope = 'test'): LogsData {
  return { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope: { name: scope }, logRecords: records }] }] };
}

export function hexId(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function span(name: string, traceHex = '0102030405060708090a0b0c0d0e0f10', attributes: Attributes = {}, extra: Partial<Span> = {}): Span {
  return {
    traceId: hexId(traceHex), spanId: hexId('0102030405060708'), name, kind: 2,
    startTimeUnixNano: 1n, endTimeUnixNano: 2n, attributes, events: [], links: [], status: { code: 0 }, ...extra,
  };
}

export function traces(spans: Span[], resource: Attributes = {}): TracesData {
  return { resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: 'lib', version: '1.0' }, spans }] }] };
}

export function point(value: number | bigint, attributes: Attributes = {}, time = 2n, start = 1n): NumberDataPoint {
  return { attributes, startTimeUnixNano: start, timeUnixNano: time, value };
}

export function metrics(ms: Metric[], resource: Attributes = {}): MetricsData {
  return { resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 'm' }, metrics: ms }] }] };
}

export function gauge(name: string, points: NumberDataPoint[]): Metric {
  return { type: 'gauge', name, dataPoints: points };
}

export function allLogs(batches: LogsData[]): LogRecord[] {
  return batches.flatMap((b) => b.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords)));
}

export function allSpans(batches: TracesData[]): Span[] {
  return batches.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
}

export function allMetrics(batches: MetricsData[]): Metric[] {
  return batches.flatMap((b) => b.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)));
}
