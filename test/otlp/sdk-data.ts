// Telemetry made by the official OpenTelemetry JS SDK, and checks that what telemd received
// holds every field the SDK sent.
import { expect } from 'vitest';
import { SpanKind, SpanStatusCode, type Attributes as OtelAttributes, type HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { AnyValue, Attributes, LogsData, MetricsData, TracesData } from '../../src/pdata/types.js';
import { toHex } from '../../src/otlp/hex.js';

const resource = resourceFromAttributes({ 'service.name': 'sdk-test', 'host.id': 'h-1', 'res.int': 7, 'res.list': ['a', 'b'] });
const ATTRS: OtelAttributes = { s: 'str ü', i: 42, neg: -3, d: 1.25, b: true, f: false, sa: ['x', 'y'], ia: [1, 2], da: [0.5, 1.5], ba: [true, false] };

export interface Sdk { send(exp: { export(items: unknown, cb: (r: { code: number; error?: Error }) => void): void }, items: unknown): Promise<void> }
export const sdk: Sdk = {
  send: (exp, items) =>
    new Promise((resolve, reject) => exp.export(items, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error(`export code ${r.code}`))))),
};

export function ns(t: HrTime): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

/** SDK attribute value as telemd represents it (integers are OTLP intValue). */
export function expectedValue(v: unknown): AnyValue {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(expectedValue);
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expectedValue(x)]));
  return v as AnyValue;
}
export function expectedAttrs(a: OtelAttributes | Record<string, unknown>): Attributes {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, expectedValue(v)]));
}

export function makeSpans(): ReadableSpan[] {
  const mem = new InMemorySpanExporter();
  const tp = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: mem })] });
  const tracer = tp.getTracer('sdk-scope', '9.9.9');
  const other = tracer.startSpan('linked');
  other.end();
  const span = tracer.startSpan('GET /x', {
    kind: SpanKind.SERVER,
    attributes: ATTRS,
    links: [{ context: other.spanContext(), attributes: { 'link.attr': 'l', n: 2 } }],
  });
  span.addEvent('ev-1', { 'ev.attr': 1.5, k: 'v' });
  span.addEvent('ev-2');
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'it broke' });
  span.end();
  return mem.getFinishedSpans();
}

const BODIES: unknown[] = ['plain text', 12, 3.5, true, { msg: 'm', n: 1, nested: { deep: [1, 'x'] } }, ['a', 2, false], new Uint8Array([1, 2, 255])];

export function makeLogs(): ReadableLogRecord[] {
  const mem = new InMemoryLogRecordExporter();
  const lp = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: mem })] });
  const logger = lp.getLogger('log-scope', '1.0.0');
  BODIES.forEach((body, i) =>
    logger.emit({ body: body as never, severityNumber: SeverityNumber.WARN, severityText: 'WARN', attributes: { ...ATTRS, idx: i }, timestamp: 1700000000000 + i }),
  );
  return mem.getFinishedLogRecords();
}

class ManualReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export async function makeMetrics(): Promise<ResourceMetrics> {
  const reader = new ManualReader();
  const mp = new MeterProvider({ resource, readers: [reader] });
  const meter = mp.getMeter('meter-scope', '2.0.0');
  meter.createCounter('requests', { description: 'count of requests', unit: '1' }).add(5, { route: '/a' });
  meter.createUpDownCounter('inflight').add(-2, { q: 'x' });
  const h = meter.createHistogram('latency', { unit: 'ms', advice: { explicitBucketBoundaries: [1, 10, 100] } });
  for (const v of [0.5, 5, 50, 500, 7]) h.record(v, { route: '/a' });
  meter.createObservableGauge('temp').addCallback((r) => r.observe(21.5, { room: 'k' }));
  meter.createCounter('doubles').add(0.25);
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics;
}

/** Every span the SDK made arrived with all its fields. */
export function checkSpans(spans: ReadableSpan[], got: TracesData[]): void {
  const rs = got.flatMap((d) => d.resourceSpans);
  expect(rs[0]!.resource.attributes).toMatchObject(expectedAttrs({ 'service.name': 'sdk-test', 'host.id': 'h-1', 'res.int': 7, 'res.list': ['a', 'b'] }));
  const scopeSpans = rs.flatMap((r) => r.scopeSpans);
  expect(scopeSpans[0]!.scope).toMatchObject({ name: 'sdk-scope', version: '9.9.9' });
  const all = scopeSpans.flatMap((s) => s.spans);
  expect(all).toHaveLength(spans.length);
  for (const want of spans) {
    const sc = want.spanContext();
    const s = all.find((x) => toHex(x.spanId) === sc.spanId)!;
    expect(s).toBeDefined();
    expect(toHex(s.traceId)).toBe(sc.traceId);
    expect(s.name).toBe(want.name);
    expect(s.kind).toBe(want.kind + 1); // API SpanKind is 0-based INTERNAL; OTLP adds UNSPECIFIED = 0
    expect(s.startTimeUnixNano).toBe(ns(want.startTime));
    expect(s.endTimeUnixNano).toBe(ns(want.endTime));
    expect(s.attributes).toEqual(expectedAttrs(want.attributes));
    expect(s.status.code).toBe(want.status.code);
    if (want.status.message) expect(s.status.message).toBe(want.status.message);
    expect(s.events.map((e) => ({ name: e.name, t: e.timeUnixNano, a: e.attributes }))).toEqual(
      want.events.map((e) => ({ name: e.name, t: ns(e.time), a: expectedAttrs(e.attributes ?? {}) })),
    );
    expect(s.links.map((l) => ({ t: toHex(l.traceId), s: toHex(l.spanId), a: l.attributes }))).toEqual(
      want.links.map((l) => ({ t: l.context.traceId, s: l.context.spanId, a: expectedAttrs(l.attributes ?? {}) })),
    );
    if (s.name === 'GET /x') expect(s.events).toHaveLength(2);
  }
}

/** Every log record arrived, bodies of every AnyValue kind included. */
export function checkLogs(logs: ReadableLogRecord[], gotData: LogsData[]): void {
  const got = gotData.flatMap((d) => d.resourceLogs);
  expect(got[0]!.resource.attributes['service.name']).toBe('sdk-test');
  const sl = got.flatMap((r) => r.scopeLogs);
  expect(sl[0]!.scope).toMatchObject({ name: 'log-scope', version: '1.0.0' });
  const recs = sl.flatMap((s) => s.logRecords);
  expect(recs).toHaveLength(BODIES.length);
  for (const [i, want] of logs.entries()) {
    const r = recs.find((x) => x.attributes.idx === BigInt(i))!;
    expect(r.body).toEqual(expectedValue(want.body));
    expect(r.severityNumber).toBe(SeverityNumber.WARN);
    expect(r.severityText).toBe('WARN');
    expect(r.timeUnixNano).toBe(ns(want.hrTime));
    expect(r.observedTimeUnixNano).toBe(ns(want.hrTimeObserved));
    expect(r.attributes).toEqual(expectedAttrs(want.attributes as OtelAttributes));
  }
}

/** Sums, gauges and histograms arrived with their points and buckets. */
export function checkMetrics(rm: ResourceMetrics, gotData: MetricsData[]): void {
  const got = gotData.flatMap((d) => d.resourceMetrics);
  expect(got[0]!.resource.attributes['host.id']).toBe('h-1');
  const sm = got.flatMap((r) => r.scopeMetrics);
  expect(sm[0]!.scope).toMatchObject({ name: 'meter-scope', version: '2.0.0' });
  const metrics = sm.flatMap((s) => s.metrics);
  const wantMetrics = rm.scopeMetrics.flatMap((s) => s.metrics);
  expect(metrics).toHaveLength(wantMetrics.length);
  for (const want of wantMetrics) {
    const m = metrics.find((x) => x.name === want.descriptor.name)!;
    expect(m.description ?? '').toBe(want.descriptor.description);
    expect(m.unit ?? '').toBe(want.descriptor.unit);
    if (m.type === 'empty') throw new Error(`metric ${m.name} arrived empty`);
    expect(m.dataPoints).toHaveLength(want.dataPoints.length);
    const wp = want.dataPoints[0]!;
    const p = m.dataPoints[0]!;
    expect(p.attributes).toEqual(expectedAttrs(wp.attributes));
    expect(p.startTimeUnixNano).toBe(ns(wp.startTime));
    expect(p.timeUnixNano).toBe(ns(wp.endTime));
    if (want.dataPointType === DataPointType.HISTOGRAM) {
      expect(m.type).toBe('histogram');
      if (m.type !== 'histogram') continue;
      const v = wp.value as { buckets: { boundaries: number[]; counts: number[] }; sum: number; count: number; min: number; max: number };
      expect(m.aggregationTemporality).toBe(want.aggregationTemporality === AggregationTemporality.CUMULATIVE ? 2 : 1);
      expect(m.dataPoints[0]!).toMatchObject({ explicitBounds: v.buckets.boundaries, bucketCounts: v.buckets.counts, sum: v.sum, count: v.count, min: v.min, max: v.max });
    } else if (want.dataPointType === DataPointType.SUM) {
      expect(m.type).toBe('sum');
      if (m.type !== 'sum') continue;
      expect(m.isMonotonic).toBe(want.isMonotonic);
      const pv = m.dataPoints[0]!.value;
      expect(Number(pv)).toBe(wp.value as number);
    } else {
      expect(m.type).toBe('gauge');
      if (m.type !== 'gauge') continue;
      expect(Number(m.dataPoints[0]!.value)).toBe(wp.value as number);
    }
  }
}
