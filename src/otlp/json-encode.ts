// OTLP/JSON encoding (protobuf JSON mapping with the OTLP rules): lowerCamelCase keys, hex
// trace/span ids, 64-bit integers as decimal strings, enums as integers. Metrics and traces are
// built as one string; logs (the file exporter's bulk) are written as UTF-8 bytes directly.
import type {
  AnyValue, Attributes, Exemplar, ExpHistogramBuckets, InstrumentationScope, LogRecord, LogsData, Metric,
  MetricsData, Resource, Signal, SignalData, Span, TracesData,
} from '../pdata/types.js';
import { toHex } from './hex.js';
import { grow } from '../protobuf/writer.js';

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

// ---- logs: written as UTF-8 bytes straight into one growing buffer ----
// The file exporter writes every log batch through this path: no per-record strings, no
// concatenation ropes, no Buffer.from(string) pass at the end.

const HEX = '0123456789abcdef';

class JsonBytes {
  buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  pos = 0;
  /** Both timestamps of the last record and their JSON bytes (they repeat within a batch). */
  private headTime = -1n;
  private headObserved = -1n;
  private head: Buffer = Buffer.alloc(0);
  private headBody: Buffer = Buffer.alloc(0);

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.buf = grow(this.buf, this.pos, n);
  }

  /** Text known to be ASCII without characters JSON escapes (keys, numbers, punctuation). */
  raw(s: string): void {
    const n = s.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** A JSON string, escaped exactly as JSON.stringify does, encoded as UTF-8. */
  str(s: string): void {
    const n = s.length;
    this.ensure(n * 6 + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 34;
    // Long text with nothing to escape: a native check and a native UTF-8 copy beat a JS loop.
    if (n > 24 && !NEEDS_ESCAPE.test(s)) {
      p += b.write(s, p, 'utf8');
      b[p++] = 34;
      this.pos = p;
      return;
    }
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 34 && c !== 92) b[p++] = c;
        else {
          b[p++] = 92;
          if (c === 34 || c === 92) b[p++] = c;
          else if (c === 10) b[p++] = 110;
          else if (c === 13) b[p++] = 114;
          else if (c === 9) b[p++] = 116;
          else if (c === 8) b[p++] = 98;
          else if (c === 12) b[p++] = 102;
          else {
            b[p++] = 117; b[p++] = 48; b[p++] = 48;
            b[p++] = HEX.charCodeAt(c >> 4); b[p++] = HEX.charCodeAt(c & 15);
          }
        }
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c < 0xe000) {
        const d = c < 0xdc00 && i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (d >= 0xdc00 && d < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          b[p++] = 0xf0 | (c >> 18);
          b[p++] = 0x80 | ((c >> 12) & 63);
          b[p++] = 0x80 | ((c >> 6) & 63);
          b[p++] = 0x80 | (c & 63);
        } else {
          // A lone surrogate: \udXXX, as well-formed JSON.stringify writes it.
          b[p++] = 92; b[p++] = 117;
          for (let k = 12; k >= 0; k -= 4) b[p++] = HEX.charCodeAt((c >> k) & 15);
        }
      } else {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 63);
        b[p++] = 0x80 | (c & 63);
      }
    }
    b[p++] = 34;
    this.pos = p;
  }

  bytes(src: Buffer): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** `,"key":value` for a set, non-zero, non-empty field. */
  opt(k: string, v: number | string | undefined): void {
    if (v === undefined || v === '' || v === 0) return;
    this.raw(`,"${k}":`);
    if (typeof v === 'string') this.str(v);
    else this.raw(String(v));
  }

  id(k: string, v: Uint8Array | undefined, len: number): void {
    if (v && v.length === len) this.raw(`,"${k}":"${toHex(v)}"`);
  }

  anyValue(v: AnyValue): void {
    switch (typeof v) {
      case 'string':
        this.raw('{"stringValue":');
        this.str(v);
        this.byte(125);
        return;
      case 'boolean':
        this.raw(v ? '{"boolValue":true}' : '{"boolValue":false}');
        return;
      case 'number':
        this.raw(`{"doubleValue":${dbl(v)}}`);
        return;
      case 'bigint':
        this.raw(`{"intValue":"${v}"}`);
        return;
    }
    if (v === null || v === undefined) this.raw('{}');
    else if (v instanceof Uint8Array) this.raw(`{"bytesValue":"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"}`);
    else if (Array.isArray(v)) {
      this.raw('{"arrayValue":{"values":[');
      for (let i = 0; i < v.length; i++) {
        if (i) this.byte(44);
        this.anyValue(v[i]!);
      }
      this.raw(']}}');
    } else {
      this.raw('{"kvlistValue":{"values":');
      this.attrs(v);
      this.raw('}}');
    }
  }

  attrs(a: Attributes | undefined): void {
    this.byte(91);
    if (a) {
      let first = true;
      for (const k in a) {
        this.raw(first ? '{"key":' : ',{"key":');
        this.str(k);
        this.raw(',"value":');
        this.anyValue(a[k]!);
        this.byte(125);
        first = false;
      }
    }
    this.byte(93);
  }

  resource(r: Resource): void {
    this.raw('"resource":{"attributes":');
    this.attrs(r.attributes);
    this.opt('droppedAttributesCount', r.droppedAttributesCount);
    this.byte(125);
  }

  scope(s: InstrumentationScope): void {
    this.raw('"scope":{"name":');
    this.str(s.name);
    this.opt('version', s.version);
    if (hasKeys(s.attributes)) {
      this.raw(',"attributes":');
      this.attrs(s.attributes);
    }
    this.opt('droppedAttributesCount', s.droppedAttributesCount);
    this.byte(125);
  }

  logRecord(l: LogRecord): void {
    if (l.timeUnixNano !== this.headTime || l.observedTimeUnixNano !== this.headObserved) {
      this.headTime = l.timeUnixNano;
      this.headObserved = l.observedTimeUnixNano;
      // proto3 JSON leaves out fields at their default (0, empty): an unset event time costs
      // no bytes. The first field opens the object, so the head always holds one.
      const t = l.timeUnixNano !== 0n ? `"timeUnixNano":"${l.timeUnixNano}",` : '';
      this.head = Buffer.from(`{${t}"observedTimeUnixNano":"${l.observedTimeUnixNano}"`);
      this.headBody = Buffer.concat([this.head, BODY_STRING]);
    }
    // A raw line (string body, nothing else set): three steps for the whole record.
    if (typeof l.body === 'string' && !l.severityNumber && !l.severityText && !hasKeys(l.attributes) && isPlain(l)) {
      this.bytes(this.headBody);
      this.str(l.body);
      this.bytes(PLAIN_TAIL);
      return;
    }
    this.bytes(this.head);
    this.opt('severityNumber', l.severityNumber);
    this.opt('severityText', l.severityText);
    const body = l.body;
    if (typeof body === 'string') {
      // The common case (a raw line) in as few steps as possible.
      this.raw(',"body":{"stringValue":');
      this.str(body);
      this.byte(125);
    } else if (body !== null && body !== undefined) {
      this.raw(',"body":');
      this.anyValue(body);
    }
    if (hasKeys(l.attributes)) {
      this.raw(',"attributes":');
      this.attrs(l.attributes);
    }
    this.opt('droppedAttributesCount', l.droppedAttributesCount);
    this.opt('flags', l.flags);
    this.id('traceId', l.traceId, 16);
    this.id('spanId', l.spanId, 8);
    this.opt('eventName', l.eventName);
    this.byte(125);
  }

  logs(d: LogsData): void {
    this.raw('{"resourceLogs":[');
    d.resourceLogs.forEach((rl, i) => {
      this.raw(i ? ',{' : '{');
      this.resource(rl.resource);
      this.raw(',"scopeLogs":[');
      rl.scopeLogs.forEach((sl, j) => {
        this.raw(j ? ',{' : '{');
        this.scope(sl.scope);
        this.raw(',"logRecords":[');
        const recs = sl.logRecords;
        for (let k = 0; k < recs.length; k++) {
          if (k) this.byte(44);
          this.logRecord(recs[k]!);
        }
        this.byte(93);
        this.opt('schemaUrl', sl.schemaUrl);
        this.byte(125);
      });
      this.byte(93);
      this.opt('schemaUrl', rl.schemaUrl);
      this.byte(125);
    });
    this.raw(']}');
  }
}

const BODY_STRING = Buffer.from(',"body":{"stringValue":');
const PLAIN_TAIL = Buffer.from('}}');

/** None of the fields written after the attributes is set. */
function isPlain(l: LogRecord): boolean {
  return !l.droppedAttributesCount && !l.flags && l.traceId === undefined && l.spanId === undefined && !l.eventName;
}

// One writer reused across calls (encoding is synchronous); its buffer grows to the largest batch.
const shared = new JsonBytes();

let lastSize = 64 * 1024;

/** OTLP/JSON of a logs request as UTF-8 bytes, plus `suffix` (e.g. a newline). */
function logsBytes(d: LogsData, suffix: string): Buffer {
  // Written straight into a fresh buffer sized from the previous request: no final copy.
  const w = shared;
  w.buf = Buffer.allocUnsafe(Math.min(16 << 20, Math.max(1024, Math.ceil(lastSize * 1.25))));
  w.pos = 0;
  w.logs(d);
  w.raw(suffix);
  lastSize = w.pos;
  const out = w.buf.subarray(0, w.pos);
  w.buf = EMPTY;
  return out;
}

const EMPTY = Buffer.alloc(0);

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
  if (signal === 'logs') return logsBytes(data as LogsData, '').toString('utf8');
  return traces(data as TracesData);
}

/** The same request as UTF-8 bytes followed by `suffix`: logs skip the string stage entirely. */
export function encodeJsonBytes<S extends Signal>(signal: S, data: SignalData[S], suffix = ''): Buffer {
  if (signal === 'logs') return logsBytes(data as LogsData, suffix);
  return Buffer.from(encodeJson(signal, data) + suffix);
}
