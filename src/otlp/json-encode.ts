// OTLP/JSON encoding (protobuf JSON mapping with the OTLP rules): lowerCamelCase keys, hex
// trace/span ids, 64-bit integers as decimal strings, enums as integers.
import type {
  AnyValue, Attributes, Exemplar, ExpHistogramBuckets, InstrumentationScope, LogRecord, LogsData, Metric,
  MetricsData, Resource, Signal, SignalData, Span, TracesData,
} from '../pdata/types.js';
import { toHex } from './hex.js';

type J = Record<string, unknown>;

/** proto3 JSON doubles: non-finite values are strings. */
function dbl(n: number): number | string {
  if (Number.isFinite(n)) return n;
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

function u64(n: number): string {
  return Number.isInteger(n) && n >= 0 ? String(n) : String(Math.max(0, Math.trunc(n) || 0));
}

export function anyValueJson(v: AnyValue): J {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      return { doubleValue: dbl(v) };
    case 'bigint':
      return { intValue: v.toString() };
  }
  if (v === null || v === undefined) return {};
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValueJson) } };
  return { kvlistValue: { values: attrsJson(v) } };
}

export function attrsJson(a: Attributes | undefined): J[] {
  const out: J[] = [];
  if (!a) return out;
  for (const k of Object.keys(a)) out.push({ key: k, value: anyValueJson(a[k]!) });
  return out;
}

function put(o: J, k: string, v: unknown): void {
  if (v !== undefined && v !== '' && v !== 0) o[k] = v;
}

function resourceJson(r: Resource): J {
  const o: J = { attributes: attrsJson(r.attributes) };
  put(o, 'droppedAttributesCount', r.droppedAttributesCount);
  return o;
}

function scopeJson(s: InstrumentationScope): J {
  const o: J = { name: s.name };
  put(o, 'version', s.version);
  if (s.attributes && Object.keys(s.attributes).length) o.attributes = attrsJson(s.attributes);
  put(o, 'droppedAttributesCount', s.droppedAttributesCount);
  return o;
}

function id(o: J, k: string, b: Uint8Array | undefined): void {
  if (b && b.length) o[k] = toHex(b);
}

function exemplarsJson(es: Exemplar[] | undefined): J[] | undefined {
  if (!es || es.length === 0) return undefined;
  return es.map((e) => {
    const o: J = {};
    if (e.filteredAttributes && Object.keys(e.filteredAttributes).length) o.filteredAttributes = attrsJson(e.filteredAttributes);
    o.timeUnixNano = e.timeUnixNano.toString();
    if (typeof e.value === 'bigint') o.asInt = e.value.toString();
    else o.asDouble = dbl(e.value);
    id(o, 'spanId', e.spanId);
    id(o, 'traceId', e.traceId);
    return o;
  });
}

function bucketsJson(b: ExpHistogramBuckets): J {
  return { offset: b.offset, bucketCounts: b.bucketCounts.map(u64) };
}

function metricJson(m: Metric): J {
  const o: J = { name: m.name };
  put(o, 'description', m.description);
  put(o, 'unit', m.unit);
  if (m.metadata && Object.keys(m.metadata).length) o.metadata = attrsJson(m.metadata);
  const base = (p: { attributes: Attributes; startTimeUnixNano: bigint; timeUnixNano: bigint }): J => ({
    attributes: attrsJson(p.attributes),
    startTimeUnixNano: p.startTimeUnixNano.toString(),
    timeUnixNano: p.timeUnixNano.toString(),
  });
  switch (m.type) {
    case 'gauge':
    case 'sum': {
      const dataPoints = m.dataPoints.map((p) => {
        const d = base(p);
        if (typeof p.value === 'bigint') d.asInt = p.value.toString();
        else d.asDouble = dbl(p.value);
        const ex = exemplarsJson(p.exemplars);
        if (ex) d.exemplars = ex;
        put(d, 'flags', p.flags);
        return d;
      });
      if (m.type === 'gauge') o.gauge = { dataPoints };
      else o.sum = { dataPoints, aggregationTemporality: m.aggregationTemporality, isMonotonic: m.isMonotonic };
      break;
    }
    case 'histogram':
      o.histogram = {
        dataPoints: m.dataPoints.map((p) => {
          const d = base(p);
          d.count = u64(p.count);
          if (p.sum !== undefined) d.sum = dbl(p.sum);
          d.bucketCounts = p.bucketCounts.map(u64);
          d.explicitBounds = p.explicitBounds.map(dbl);
          const ex = exemplarsJson(p.exemplars);
          if (ex) d.exemplars = ex;
          put(d, 'flags', p.flags);
          if (p.min !== undefined) d.min = dbl(p.min);
          if (p.max !== undefined) d.max = dbl(p.max);
          return d;
        }),
        aggregationTemporality: m.aggregationTemporality,
      };
      break;
    case 'exponentialHistogram':
      o.exponentialHistogram = {
        dataPoints: m.dataPoints.map((p) => {
          const d = base(p);
          d.count = u64(p.count);
          if (p.sum !== undefined) d.sum = dbl(p.sum);
          d.scale = p.scale;
          d.zeroCount = u64(p.zeroCount);
          d.positive = bucketsJson(p.positive);
          d.negative = bucketsJson(p.negative);
          put(d, 'flags', p.flags);
          const ex = exemplarsJson(p.exemplars);
          if (ex) d.exemplars = ex;
          if (p.min !== undefined) d.min = dbl(p.min);
          if (p.max !== undefined) d.max = dbl(p.max);
          if (p.zeroThreshold !== undefined) d.zeroThreshold = dbl(p.zeroThreshold);
          return d;
        }),
        aggregationTemporality: m.aggregationTemporality,
      };
      break;
    case 'summary':
      o.summary = {
        dataPoints: m.dataPoints.map((p) => {
          const d = base(p);
          d.count = u64(p.count);
          d.sum = dbl(p.sum);
          d.quantileValues = p.quantileValues.map((q) => ({ quantile: dbl(q.quantile), value: dbl(q.value) }));
          put(d, 'flags', p.flags);
          return d;
        }),
      };
      break;
    case 'empty':
      break;
  }
  return o;
}

function withSchema(o: J, url: string | undefined): J {
  put(o, 'schemaUrl', url);
  return o;
}

export function metricsJson(d: MetricsData): J {
  return {
    resourceMetrics: d.resourceMetrics.map((rm) =>
      withSchema(
        {
          resource: resourceJson(rm.resource),
          scopeMetrics: rm.scopeMetrics.map((sm) =>
            withSchema({ scope: scopeJson(sm.scope), metrics: sm.metrics.map(metricJson) }, sm.schemaUrl),
          ),
        },
        rm.schemaUrl,
      ),
    ),
  };
}

function logJson(l: LogRecord): J {
  const o: J = { timeUnixNano: l.timeUnixNano.toString(), observedTimeUnixNano: l.observedTimeUnixNano.toString() };
  put(o, 'severityNumber', l.severityNumber);
  put(o, 'severityText', l.severityText);
  if (l.body !== null && l.body !== undefined) o.body = anyValueJson(l.body);
  o.attributes = attrsJson(l.attributes);
  put(o, 'droppedAttributesCount', l.droppedAttributesCount);
  put(o, 'flags', l.flags);
  id(o, 'traceId', l.traceId);
  id(o, 'spanId', l.spanId);
  put(o, 'eventName', l.eventName);
  return o;
}

export function logsJson(d: LogsData): J {
  return {
    resourceLogs: d.resourceLogs.map((rl) =>
      withSchema(
        {
          resource: resourceJson(rl.resource),
          scopeLogs: rl.scopeLogs.map((sl) =>
            withSchema({ scope: scopeJson(sl.scope), logRecords: sl.logRecords.map(logJson) }, sl.schemaUrl),
          ),
        },
        rl.schemaUrl,
      ),
    ),
  };
}

function spanJson(s: Span): J {
  const o: J = {};
  id(o, 'traceId', s.traceId);
  id(o, 'spanId', s.spanId);
  put(o, 'traceState', s.traceState);
  id(o, 'parentSpanId', s.parentSpanId);
  put(o, 'flags', s.flags);
  o.name = s.name;
  o.kind = s.kind;
  o.startTimeUnixNano = s.startTimeUnixNano.toString();
  o.endTimeUnixNano = s.endTimeUnixNano.toString();
  o.attributes = attrsJson(s.attributes);
  put(o, 'droppedAttributesCount', s.droppedAttributesCount);
  if (s.events.length)
    o.events = s.events.map((e) => {
      const x: J = { timeUnixNano: e.timeUnixNano.toString(), name: e.name, attributes: attrsJson(e.attributes) };
      put(x, 'droppedAttributesCount', e.droppedAttributesCount);
      return x;
    });
  put(o, 'droppedEventsCount', s.droppedEventsCount);
  if (s.links.length)
    o.links = s.links.map((l) => {
      const x: J = {};
      id(x, 'traceId', l.traceId);
      id(x, 'spanId', l.spanId);
      put(x, 'traceState', l.traceState);
      x.attributes = attrsJson(l.attributes);
      put(x, 'droppedAttributesCount', l.droppedAttributesCount);
      put(x, 'flags', l.flags);
      return x;
    });
  put(o, 'droppedLinksCount', s.droppedLinksCount);
  const st: J = {};
  put(st, 'message', s.status.message);
  put(st, 'code', s.status.code);
  o.status = st;
  return o;
}

export function tracesJson(d: TracesData): J {
  return {
    resourceSpans: d.resourceSpans.map((rs) =>
      withSchema(
        {
          resource: resourceJson(rs.resource),
          scopeSpans: rs.scopeSpans.map((ss) =>
            withSchema({ scope: scopeJson(ss.scope), spans: ss.spans.map(spanJson) }, ss.schemaUrl),
          ),
        },
        rs.schemaUrl,
      ),
    ),
  };
}

/** One OTLP/JSON export request (no trailing newline): the file exporter writes one per line. */
export function encodeJson<S extends Signal>(signal: S, data: SignalData[S]): string {
  const o =
    signal === 'metrics'
      ? metricsJson(data as MetricsData)
      : signal === 'logs'
        ? logsJson(data as LogsData)
        : tracesJson(data as TracesData);
  return JSON.stringify(o);
}
