// OTLP/JSON encoding (protobuf JSON mapping with the OTLP rules): lowerCamelCase keys, hex
// trace/span ids, 64-bit integers as decimal strings, enums as integers. Written straight into
// a string (no intermediate objects): the file exporter writes every batch through it.
import type {
  AnyValue, Attributes, Exemplar, ExpHistogramBuckets, InstrumentationScope, LogRecord, LogsData, Metric,
  MetricsData, Resource, Signal, SignalData, Span, TracesData,
} from '../pdata/types.js';
import { toHex } from './hex.js';

// Quotes, backslashes, control characters and surrogates need JSON.stringify's escaping.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function q(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** proto3 JSON doubles: non-finite values are strings. */
function dbl(n: number): string {
  if (Number.isFinite(n)) return String(n);
  return Number.isNaN(n) ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"';
}

function u64(n: number): string {
  return Number.isInteger(n) && n >= 0 ? `"${n}"` : `"${Math.max(0, Math.trunc(n) || 0)}"`;
}

function anyValue(v: AnyValue): string {
  switch (typeof v) {
    case 'string':
      return `{"stringValue":${q(v)}}`;
    case 'boolean':
      return v ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'number':
      return `{"doubleValue":${dbl(v)}}`;
    case 'bigint':
      return `{"intValue":"${v}"}`;
  }
  if (v === null || v === undefined) return '{}';
  if (v instanceof Uint8Array) return `{"bytesValue":"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"}`;
  if (Array.isArray(v)) {
    let s = '{"arrayValue":{"values":[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + anyValue(v[i]!);
    return s + ']}}';
  }
  return `{"kvlistValue":{"values":${attrs(v)}}}`;
}

function attrs(a: Attributes | undefined): string {
  if (!a) return '[]';
  let s = '[';
  let first = true;
  for (const k in a) {
    s += `${first ? '' : ','}{"key":${q(k)},"value":${anyValue(a[k]!)}}`;
    first = false;
  }
  return s + ']';
}

function hasKeys(a: Attributes | undefined): a is Attributes {
  if (!a) return false;
  for (const _ in a) return true;
  return false;
}

/** `,"key":value` for a set, non-zero, non-empty field. */
function opt(k: string, v: number | string | undefined): string {
  if (v === undefined || v === '' || v === 0) return '';
  return typeof v === 'string' ? `,"${k}":${q(v)}` : `,"${k}":${v}`;
}

/** Ids of any other length than OTLP's are left out, as in the protobuf encoder. */
function id(k: string, b: Uint8Array | undefined): string {
  return b && b.length === (k === 'traceId' ? 16 : 8) ? `,"${k}":"${toHex(b)}"` : '';
}

function resource(r: Resource): string {
  return `"resource":{"attributes":${attrs(r.attributes)}${opt('droppedAttributesCount', r.droppedAttributesCount)}}`;
}

function scope(s: InstrumentationScope): string {
  return (
    `"scope":{"name":${q(s.name)}${opt('version', s.version)}` +
    (hasKeys(s.attributes) ? `,"attributes":${attrs(s.attributes)}` : '') +
    `${opt('droppedAttributesCount', s.droppedAttributesCount)}}`
  );
}

function exemplars(es: Exemplar[] | undefined): string {
  if (!es || es.length === 0) return '';
  let s = ',"exemplars":[';
  for (let i = 0; i < es.length; i++) {
    const e = es[i]!;
    s += i ? ',{' : '{';
    if (hasKeys(e.filteredAttributes)) s += `"filteredAttributes":${attrs(e.filteredAttributes)},`;
    s += `"timeUnixNano":"${e.timeUnixNano}"`;
    s += typeof e.value === 'bigint' ? `,"asInt":"${e.value}"` : `,"asDouble":${dbl(e.value)}`;
    s += id('spanId', e.spanId) + id('traceId', e.traceId) + '}';
  }
  return s + ']';
}

function buckets(b: ExpHistogramBuckets): string {
  return `{"offset":${b.offset},"bucketCounts":[${b.bucketCounts.map(u64).join(',')}]}`;
}

function pointHead(p: { attributes: Attributes; startTimeUnixNano: bigint; timeUnixNano: bigint }): string {
  return `{"attributes":${attrs(p.attributes)},"startTimeUnixNano":"${p.startTimeUnixNano}","timeUnixNano":"${p.timeUnixNano}"`;
}

function metric(m: Metric): string {
  let s = `{"name":${q(m.name)}${opt('description', m.description)}${opt('unit', m.unit)}`;
  if (hasKeys(m.metadata)) s += `,"metadata":${attrs(m.metadata)}`;
  switch (m.type) {
    case 'gauge':
    case 'sum': {
      let d = '';
      for (let i = 0; i < m.dataPoints.length; i++) {
        const p = m.dataPoints[i]!;
        d += (i ? ',' : '') + pointHead(p);
        d += typeof p.value === 'bigint' ? `,"asInt":"${p.value}"` : `,"asDouble":${dbl(p.value)}`;
        d += exemplars(p.exemplars) + opt('flags', p.flags) + '}';
      }
      if (m.type === 'gauge') s += `,"gauge":{"dataPoints":[${d}]}`;
      else s += `,"sum":{"dataPoints":[${d}],"aggregationTemporality":${m.aggregationTemporality},"isMonotonic":${m.isMonotonic}}`;
      break;
    }
    case 'histogram': {
      let d = '';
      for (let i = 0; i < m.dataPoints.length; i++) {
        const p = m.dataPoints[i]!;
        d += (i ? ',' : '') + pointHead(p) + `,"count":${u64(p.count)}`;
        if (p.sum !== undefined) d += `,"sum":${dbl(p.sum)}`;
        d += `,"bucketCounts":[${p.bucketCounts.map(u64).join(',')}],"explicitBounds":[${p.explicitBounds.map(dbl).join(',')}]`;
        d += exemplars(p.exemplars) + opt('flags', p.flags);
        if (p.min !== undefined) d += `,"min":${dbl(p.min)}`;
        if (p.max !== undefined) d += `,"max":${dbl(p.max)}`;
        d += '}';
      }
      s += `,"histogram":{"dataPoints":[${d}],"aggregationTemporality":${m.aggregationTemporality}}`;
      break;
    }
    case 'exponentialHistogram': {
      let d = '';
      for (let i = 0; i < m.dataPoints.length; i++) {
        const p = m.dataPoints[i]!;
        d += (i ? ',' : '') + pointHead(p) + `,"count":${u64(p.count)}`;
        if (p.sum !== undefined) d += `,"sum":${dbl(p.sum)}`;
        d += `,"scale":${p.scale},"zeroCount":${u64(p.zeroCount)},"positive":${buckets(p.positive)},"negative":${buckets(p.negative)}`;
        d += opt('flags', p.flags) + exemplars(p.exemplars);
        if (p.min !== undefined) d += `,"min":${dbl(p.min)}`;
        if (p.max !== undefined) d += `,"max":${dbl(p.max)}`;
        if (p.zeroThreshold !== undefined) d += `,"zeroThreshold":${dbl(p.zeroThreshold)}`;
        d += '}';
      }
      s += `,"exponentialHistogram":{"dataPoints":[${d}],"aggregationTemporality":${m.aggregationTemporality}}`;
      break;
    }
    case 'summary': {
      let d = '';
      for (let i = 0; i < m.dataPoints.length; i++) {
        const p = m.dataPoints[i]!;
        d += (i ? ',' : '') + pointHead(p) + `,"count":${u64(p.count)},"sum":${dbl(p.sum)},"quantileValues":[`;
        d += p.quantileValues.map((v) => `{"quantile":${dbl(v.quantile)},"value":${dbl(v.value)}}`).join(',');
        d += ']' + opt('flags', p.flags) + '}';
      }
      s += `,"summary":{"dataPoints":[${d}]}`;
      break;
    }
    case 'empty':
      break;
  }
  return s + '}';
}

function list<T>(xs: T[], f: (x: T) => string): string {
  let s = '';
  for (let i = 0; i < xs.length; i++) s += (i ? ',' : '') + f(xs[i]!);
  return s;
}

function metrics(d: MetricsData): string {
  return `{"resourceMetrics":[${list(d.resourceMetrics, (rm) =>
    `{${resource(rm.resource)},"scopeMetrics":[${list(rm.scopeMetrics, (sm) =>
      `{${scope(sm.scope)},"metrics":[${list(sm.metrics, metric)}]${opt('schemaUrl', sm.schemaUrl)}}`,
    )}]${opt('schemaUrl', rm.schemaUrl)}}`,
  )}]}`;
}

function logRecord(l: LogRecord): string {
  let s = `{"timeUnixNano":"${l.timeUnixNano}","observedTimeUnixNano":"${l.observedTimeUnixNano}"`;
  s += opt('severityNumber', l.severityNumber) + opt('severityText', l.severityText);
  if (l.body !== null && l.body !== undefined) s += `,"body":${anyValue(l.body)}`;
  s += `,"attributes":${attrs(l.attributes)}`;
  s += opt('droppedAttributesCount', l.droppedAttributesCount) + opt('flags', l.flags);
  s += id('traceId', l.traceId) + id('spanId', l.spanId) + opt('eventName', l.eventName);
  return s + '}';
}

function logs(d: LogsData): string {
  return `{"resourceLogs":[${list(d.resourceLogs, (rl) =>
    `{${resource(rl.resource)},"scopeLogs":[${list(rl.scopeLogs, (sl) =>
      `{${scope(sl.scope)},"logRecords":[${list(sl.logRecords, logRecord)}]${opt('schemaUrl', sl.schemaUrl)}}`,
    )}]${opt('schemaUrl', rl.schemaUrl)}}`,
  )}]}`;
}

function span(x: Span): string {
  // Every part starts with a comma; the first one is dropped at the end.
  let s = id('traceId', x.traceId) + id('spanId', x.spanId) + opt('traceState', x.traceState);
  s += id('parentSpanId', x.parentSpanId) + opt('flags', x.flags) + `,"name":${q(x.name)}`;
  s += `,"kind":${x.kind},"startTimeUnixNano":"${x.startTimeUnixNano}","endTimeUnixNano":"${x.endTimeUnixNano}"`;
  s += `,"attributes":${attrs(x.attributes)}${opt('droppedAttributesCount', x.droppedAttributesCount)}`;
  if (x.events.length)
    s += `,"events":[${list(x.events, (e) =>
      `{"timeUnixNano":"${e.timeUnixNano}","name":${q(e.name)},"attributes":${attrs(e.attributes)}${opt('droppedAttributesCount', e.droppedAttributesCount)}}`,
    )}]`;
  s += opt('droppedEventsCount', x.droppedEventsCount);
  if (x.links.length)
    s += `,"links":[${list(x.links, (l) => {
      const parts = id('traceId', l.traceId) + id('spanId', l.spanId) + opt('traceState', l.traceState);
      return `{${parts.slice(1)}${parts ? ',' : ''}"attributes":${attrs(l.attributes)}${opt('droppedAttributesCount', l.droppedAttributesCount)}${opt('flags', l.flags)}}`;
    })}]`;
  s += opt('droppedLinksCount', x.droppedLinksCount);
  s += `,"status":{${(opt('message', x.status.message) + opt('code', x.status.code)).slice(1)}}`;
  return `{${s.slice(1)}}`;
}

function traces(d: TracesData): string {
  return `{"resourceSpans":[${list(d.resourceSpans, (rs) =>
    `{${resource(rs.resource)},"scopeSpans":[${list(rs.scopeSpans, (ss) =>
      `{${scope(ss.scope)},"spans":[${list(ss.spans, span)}]${opt('schemaUrl', ss.schemaUrl)}}`,
    )}]${opt('schemaUrl', rs.schemaUrl)}}`,
  )}]}`;
}

/** One OTLP/JSON export request (no trailing newline): the file exporter writes one per line. */
export function encodeJson<S extends Signal>(signal: S, data: SignalData[S]): string {
  if (signal === 'metrics') return metrics(data as MetricsData);
  if (signal === 'logs') return logs(data as LogsData);
  return traces(data as TracesData);
}
