// OTLP/JSON decoding. Lenient where the protobuf JSON mapping allows (int64 as string or number,
// enums as integers or names, unknown fields ignored), strict about shapes: a wrong type is an
// OtlpDecodeError, never a crash or a silently dropped item.
import type {
  AnyValue, Attributes, Exemplar, ExpHistogramBuckets, InstrumentationScope, LogRecord, LogsData, Metric,
  MetricsData, NumberDataPoint, Resource, ResourceLogs, ResourceMetrics, ResourceSpans, ScopeLogs, ScopeMetrics,
  ScopeSpans, Signal, SignalData, Span, TracesData,
} from '../pdata/types.js';
import { MAX_DEPTH, OtlpCostError, OtlpDecodeError } from './errors.js';
import { fromHexId } from './hex.js';
import { setAttr } from './attrs.js';
import { SPAN_EXTRA_COST } from './pb-decode.js';

type O = Record<string, unknown>;

function fail(field: string, msg: string): never {
  throw new OtlpDecodeError(`${field}: ${msg}`);
}

// Estimated bytes of the pdata built so far by the decode in progress (decoding is synchronous,
// so one counter serves), and the most allowed: OtlpCostError before passing it.
let cost = 0;
let maxCost = Infinity;

function charge(n: number): void {
  cost += n;
  if (cost > maxCost) throw new OtlpCostError(cost, maxCost);
}

function obj(v: unknown, field: string): O {
  // Every object read becomes at least one pdata object (absent ones too: `{}` defaults).
  charge(JSON_STRUCT_COST);
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) fail(field, 'expected an object');
  return v as O;
}

function arr(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(field, 'expected an array');
  return v;
}

function str(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(field, 'expected a string');
  return v;
}

function optStr(v: unknown, field: string): string | undefined {
  const s = str(v, field);
  return s === '' ? undefined : s;
}

const INT_RE = /^-?\d+$/;

function big(v: unknown, field: string, signed: boolean): bigint {
  if (v === undefined || v === null) return 0n;
  let b: bigint;
  if (typeof v === 'string' && INT_RE.test(v)) b = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else fail(field, 'expected an integer (number or decimal string)');
  if (signed ? b !== BigInt.asIntN(64, b) : b !== BigInt.asUintN(64, b)) fail(field, 'out of 64-bit range');
  return b;
}

/** uint64 counters kept as JS numbers in the model. */
function u64(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  return Number(big(v, field, false));
}

function u32(v: unknown, field: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && INT_RE.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) fail(field, 'expected a uint32');
  return n;
}

function i32(v: unknown, field: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && INT_RE.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) fail(field, 'expected an int32');
  return n;
}

function dbl(v: unknown, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  fail(field, 'expected a number');
}

function optDbl(v: unknown, field: string): number | undefined {
  return v === undefined || v === null ? undefined : dbl(v, field);
}

const HIST_OPTIONAL = ['sum', 'min', 'max'] as const;
const EXP_OPTIONAL = ['sum', 'min', 'max', 'zeroThreshold'] as const;

/** Copies the named optional doubles (proto3 `optional`: absent stays absent). */
function optDbls<K extends string>(o: O, p: { [k in K]?: number }, keys: readonly K[]): void {
  for (const k of keys) {
    const v = optDbl(o[k], k);
    if (v !== undefined) p[k] = v;
  }
}

function bool(v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') fail(field, 'expected true or false');
  return v;
}

function enumOf(v: unknown, field: string, names: readonly string[]): number {
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i >= 0) return i;
  }
  return i32(v, field);
}

const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const TEMPORALITY = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'];
const SEVERITY = ['SEVERITY_NUMBER_UNSPECIFIED', 'SEVERITY_NUMBER_TRACE', 'SEVERITY_NUMBER_TRACE2', 'SEVERITY_NUMBER_TRACE3',
  'SEVERITY_NUMBER_TRACE4', 'SEVERITY_NUMBER_DEBUG', 'SEVERITY_NUMBER_DEBUG2', 'SEVERITY_NUMBER_DEBUG3', 'SEVERITY_NUMBER_DEBUG4',
  'SEVERITY_NUMBER_INFO', 'SEVERITY_NUMBER_INFO2', 'SEVERITY_NUMBER_INFO3', 'SEVERITY_NUMBER_INFO4', 'SEVERITY_NUMBER_WARN',
  'SEVERITY_NUMBER_WARN2', 'SEVERITY_NUMBER_WARN3', 'SEVERITY_NUMBER_WARN4', 'SEVERITY_NUMBER_ERROR', 'SEVERITY_NUMBER_ERROR2',
  'SEVERITY_NUMBER_ERROR3', 'SEVERITY_NUMBER_ERROR4', 'SEVERITY_NUMBER_FATAL', 'SEVERITY_NUMBER_FATAL2', 'SEVERITY_NUMBER_FATAL3',
  'SEVERITY_NUMBER_FATAL4'];

function id(v: unknown, bytes: number, field: string): Uint8Array {
  return fromHexId(str(v, field), bytes, field);
}

const B64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function anyValueFromJson(v: unknown, depth = 0): AnyValue {
  if (depth > MAX_DEPTH) fail('value', `nested deeper than ${MAX_DEPTH}`);
  const o = obj(v, 'value');
  if (o.stringValue !== undefined) return str(o.stringValue, 'stringValue');
  if (o.boolValue !== undefined) return bool(o.boolValue, 'boolValue');
  if (o.intValue !== undefined) return big(o.intValue, 'intValue', true);
  if (o.doubleValue !== undefined) return dbl(o.doubleValue, 'doubleValue');
  if (o.arrayValue !== undefined)
    return arr(obj(o.arrayValue, 'arrayValue').values, 'arrayValue.values').map((x) => anyValueFromJson(x, depth + 1));
  if (o.kvlistValue !== undefined) return attrsFromJson(obj(o.kvlistValue, 'kvlistValue').values, depth + 1);
  if (o.bytesValue !== undefined) {
    const s = str(o.bytesValue, 'bytesValue');
    if (!B64_RE.test(s)) fail('bytesValue', 'invalid base64');
    return new Uint8Array(Buffer.from(s, 'base64'));
  }
  return null;
}

export function attrsFromJson(v: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  for (const kv of arr(v, 'attributes')) {
    const o = obj(kv, 'attributes[]');
    setAttr(out, str(o.key, 'key'), anyValueFromJson(o.value, depth));
  }
  return out;
}

function resourceFromJson(v: unknown): Resource {
  const o = obj(v, 'resource');
  const r: Resource = { attributes: attrsFromJson(o.attributes) };
  if (o.droppedAttributesCount) r.droppedAttributesCount = u32(o.droppedAttributesCount, 'droppedAttributesCount');
  return r;
}

function scopeFromJson(v: unknown): InstrumentationScope {
  const o = obj(v, 'scope');
  const s: InstrumentationScope = { name: str(o.name, 'scope.name') };
  const ver = optStr(o.version, 'scope.version');
  if (ver !== undefined) s.version = ver;
  if (o.attributes !== undefined) s.attributes = attrsFromJson(o.attributes);
  if (o.droppedAttributesCount) s.droppedAttributesCount = u32(o.droppedAttributesCount, 'droppedAttributesCount');
  return s;
}

function flags(o: O, p: { flags?: number }): void {
  if (o.flags) p.flags = u32(o.flags, 'flags');
}

function exemplarsFromJson(v: unknown): Exemplar[] | undefined {
  if (v === undefined || v === null) return undefined;
  return arr(v, 'exemplars').map((x) => {
    const o = obj(x, 'exemplar');
    const e: Exemplar = {
      timeUnixNano: big(o.timeUnixNano, 'timeUnixNano', false),
      value: o.asInt !== undefined && o.asInt !== null ? big(o.asInt, 'asInt', true) : dbl(o.asDouble, 'asDouble'),
    };
    if (o.filteredAttributes !== undefined) e.filteredAttributes = attrsFromJson(o.filteredAttributes);
    if (o.spanId) e.spanId = id(o.spanId, 8, 'spanId');
    if (o.traceId) e.traceId = id(o.traceId, 16, 'traceId');
    return e;
  });
}

function pointBase(o: O): { attributes: Attributes; startTimeUnixNano: bigint; timeUnixNano: bigint } {
  return {
    attributes: attrsFromJson(o.attributes),
    startTimeUnixNano: big(o.startTimeUnixNano, 'startTimeUnixNano', false),
    timeUnixNano: big(o.timeUnixNano, 'timeUnixNano', false),
  };
}

function withExemplars<T extends { exemplars?: Exemplar[] }>(p: T, o: O): T {
  const ex = exemplarsFromJson(o.exemplars);
  if (ex) p.exemplars = ex;
  return p;
}

function numberPoints(v: unknown): NumberDataPoint[] {
  return arr(v, 'dataPoints').map((x) => {
    const o = obj(x, 'dataPoint');
    const p: NumberDataPoint = {
      ...pointBase(o),
      value: o.asInt !== undefined && o.asInt !== null ? big(o.asInt, 'asInt', true) : dbl(o.asDouble, 'asDouble'),
    };
    withExemplars(p, o);
    flags(o, p);
    return p;
  });
}

function buckets(v: unknown, field: string): ExpHistogramBuckets {
  const o = obj(v, field);
  return { offset: i32(o.offset, `${field}.offset`), bucketCounts: arr(o.bucketCounts, field).map((c) => u64(c, field)) };
}

function metricFromJson(v: unknown): Metric {
  const o = obj(v, 'metric');
  const base: { name: string; description?: string; unit?: string; metadata?: Attributes } = { name: str(o.name, 'name') };
  const d = optStr(o.description, 'description');
  if (d !== undefined) base.description = d;
  const u = optStr(o.unit, 'unit');
  if (u !== undefined) base.unit = u;
  if (o.metadata !== undefined) base.metadata = attrsFromJson(o.metadata);
  if (o.gauge !== undefined) return { ...base, type: 'gauge', dataPoints: numberPoints(obj(o.gauge, 'gauge').dataPoints) };
  if (o.sum !== undefined) {
    const s = obj(o.sum, 'sum');
    return {
      ...base,
      type: 'sum',
      aggregationTemporality: enumOf(s.aggregationTemporality, 'aggregationTemporality', TEMPORALITY),
      isMonotonic: bool(s.isMonotonic, 'isMonotonic'),
      dataPoints: numberPoints(s.dataPoints),
    };
  }
  if (o.histogram !== undefined) {
    const h = obj(o.histogram, 'histogram');
    return {
      ...base,
      type: 'histogram',
      aggregationTemporality: enumOf(h.aggregationTemporality, 'aggregationTemporality', TEMPORALITY),
      dataPoints: arr(h.dataPoints, 'dataPoints').map((x) => {
        const p = obj(x, 'dataPoint');
        const dp = withExemplars(
          {
            ...pointBase(p),
            count: u64(p.count ?? 0, 'count'),
            bucketCounts: arr(p.bucketCounts, 'bucketCounts').map((c) => u64(c, 'bucketCounts')),
            explicitBounds: arr(p.explicitBounds, 'explicitBounds').map((c) => dbl(c, 'explicitBounds')),
          } as Extract<Metric, { type: 'histogram' }>['dataPoints'][number],
          p,
        );
        optDbls(p, dp, HIST_OPTIONAL);
        flags(p, dp);
        return dp;
      }),
    };
  }
  if (o.exponentialHistogram !== undefined) {
    const h = obj(o.exponentialHistogram, 'exponentialHistogram');
    return {
      ...base,
      type: 'exponentialHistogram',
      aggregationTemporality: enumOf(h.aggregationTemporality, 'aggregationTemporality', TEMPORALITY),
      dataPoints: arr(h.dataPoints, 'dataPoints').map((x) => {
        const p = obj(x, 'dataPoint');
        const dp = withExemplars(
          {
            ...pointBase(p),
            count: u64(p.count ?? 0, 'count'),
            scale: i32(p.scale, 'scale'),
            zeroCount: u64(p.zeroCount ?? 0, 'zeroCount'),
            positive: buckets(p.positive, 'positive'),
            negative: buckets(p.negative, 'negative'),
          } as Extract<Metric, { type: 'exponentialHistogram' }>['dataPoints'][number],
          p,
        );
        optDbls(p, dp, EXP_OPTIONAL);
        flags(p, dp);
        return dp;
      }),
    };
  }
  if (o.summary !== undefined) {
    const s = obj(o.summary, 'summary');
    return {
      ...base,
      type: 'summary',
      dataPoints: arr(s.dataPoints, 'dataPoints').map((x) => {
        const p = obj(x, 'dataPoint');
        const dp: Extract<Metric, { type: 'summary' }>['dataPoints'][number] = {
          ...pointBase(p),
          count: u64(p.count ?? 0, 'count'),
          sum: dbl(p.sum, 'sum'),
          quantileValues: arr(p.quantileValues, 'quantileValues').map((q) => {
            const qo = obj(q, 'quantileValue');
            return { quantile: dbl(qo.quantile, 'quantile'), value: dbl(qo.value, 'value') };
          }),
        };
        flags(p, dp);
        return dp;
      }),
    };
  }
  return { ...base, type: 'empty' };
}

/** Resource* / Scope* entries: each object built by `make`, plus its schemaUrl. */
function entries<T extends { schemaUrl?: string }>(v: unknown, field: string, make: (o: O) => T): T[] {
  return arr(v, field).map((x) => {
    const o = obj(x, `${field}[]`);
    const t = make(o);
    const u = optStr(o.schemaUrl, 'schemaUrl');
    if (u !== undefined) t.schemaUrl = u;
    return t;
  });
}

function metricsFromJson(root: O): MetricsData {
  return {
    resourceMetrics: entries<ResourceMetrics>(root.resourceMetrics, 'resourceMetrics', (o) => ({
      resource: resourceFromJson(o.resource),
      scopeMetrics: entries<ScopeMetrics>(o.scopeMetrics, 'scopeMetrics', (so) => ({
        scope: scopeFromJson(so.scope), metrics: arr(so.metrics, 'metrics').map(metricFromJson),
      })),
    })),
  };
}

function logFromJson(v: unknown): LogRecord {
  const o = obj(v, 'logRecord');
  const l: LogRecord = {
    timeUnixNano: big(o.timeUnixNano, 'timeUnixNano', false),
    observedTimeUnixNano: big(o.observedTimeUnixNano, 'observedTimeUnixNano', false),
    severityNumber: enumOf(o.severityNumber, 'severityNumber', SEVERITY),
    body: o.body === undefined ? null : anyValueFromJson(o.body),
    attributes: attrsFromJson(o.attributes),
  };
  const st = optStr(o.severityText, 'severityText');
  if (st !== undefined) l.severityText = st;
  if (o.droppedAttributesCount) l.droppedAttributesCount = u32(o.droppedAttributesCount, 'droppedAttributesCount');
  flags(o, l);
  if (o.traceId) l.traceId = id(o.traceId, 16, 'traceId');
  if (o.spanId) l.spanId = id(o.spanId, 8, 'spanId');
  const en = optStr(o.eventName, 'eventName');
  if (en !== undefined) l.eventName = en;
  return l;
}

function logsFromJson(root: O): LogsData {
  return {
    resourceLogs: entries<ResourceLogs>(root.resourceLogs, 'resourceLogs', (o) => ({
      resource: resourceFromJson(o.resource),
      scopeLogs: entries<ScopeLogs>(o.scopeLogs, 'scopeLogs', (so) => ({
        scope: scopeFromJson(so.scope), logRecords: arr(so.logRecords, 'logRecords').map(logFromJson),
      })),
    })),
  };
}

function dropped(o: O, key: string, t: Record<string, unknown>): void {
  if (o[key]) t[key] = u32(o[key], key);
}

function spanFromJson(v: unknown): Span {
  charge(SPAN_EXTRA_COST);
  const o = obj(v, 'span');
  const st = obj(o.status, 'status');
  const s: Span = {
    traceId: id(o.traceId, 16, 'traceId'),
    spanId: id(o.spanId, 8, 'spanId'),
    name: str(o.name, 'name'),
    kind: enumOf(o.kind, 'kind', SPAN_KINDS),
    startTimeUnixNano: big(o.startTimeUnixNano, 'startTimeUnixNano', false),
    endTimeUnixNano: big(o.endTimeUnixNano, 'endTimeUnixNano', false),
    attributes: attrsFromJson(o.attributes),
    events: arr(o.events, 'events').map((x) => {
      const e = obj(x, 'event');
      const ev = { timeUnixNano: big(e.timeUnixNano, 'timeUnixNano', false), name: str(e.name, 'name'), attributes: attrsFromJson(e.attributes) };
      dropped(e, 'droppedAttributesCount', ev);
      return ev;
    }),
    links: arr(o.links, 'links').map((x) => {
      const l = obj(x, 'link');
      const lk: Span['links'][number] = { traceId: id(l.traceId, 16, 'traceId'), spanId: id(l.spanId, 8, 'spanId'), attributes: attrsFromJson(l.attributes) };
      const ts = optStr(l.traceState, 'traceState');
      if (ts !== undefined) lk.traceState = ts;
      dropped(l, 'droppedAttributesCount', lk as unknown as Record<string, unknown>);
      flags(l, lk);
      return lk;
    }),
    status: { code: enumOf(st.code, 'status.code', STATUS_CODES) },
  };
  const msg = optStr(st.message, 'status.message');
  if (msg !== undefined) s.status.message = msg;
  const ts = optStr(o.traceState, 'traceState');
  if (ts !== undefined) s.traceState = ts;
  if (o.parentSpanId) s.parentSpanId = id(o.parentSpanId, 8, 'parentSpanId');
  flags(o, s);
  const rec = s as unknown as Record<string, unknown>;
  dropped(o, 'droppedAttributesCount', rec);
  dropped(o, 'droppedEventsCount', rec);
  dropped(o, 'droppedLinksCount', rec);
  return s;
}

function tracesFromJson(root: O): TracesData {
  return {
    resourceSpans: entries<ResourceSpans>(root.resourceSpans, 'resourceSpans', (o) => ({
      resource: resourceFromJson(o.resource),
      scopeSpans: entries<ScopeSpans>(o.scopeSpans, 'scopeSpans', (so) => ({
        scope: scopeFromJson(so.scope), spans: arr(so.spans, 'spans').map(spanFromJson),
      })),
    })),
  };
}

/** Parse one OTLP/JSON export request; throws OtlpDecodeError on malformed input. */
export function decodeJson<S extends Signal>(signal: S, text: string): SignalData[S] {
  return decodeJsonCosted(signal, text).data;
}

/**
 * decodeJson that also returns the estimated memory of the decoded data, and throws
 * OtlpCostError as soon as building it would pass `limit` (the parsed tree is bounded by
 * jsonCost before parsing; this bounds what is built from it).
 */
export function decodeJsonCosted<S extends Signal>(signal: S, text: string, limit = Infinity): { data: SignalData[S]; cost: number } {
  cost = text.length;
  maxCost = limit;
  try {
    const data = decodeJsonTree(signal, text);
    return { data, cost };
  } finally {
    maxCost = Infinity;
  }
}

function decodeJsonTree<S extends Signal>(signal: S, text: string): SignalData[S] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new OtlpDecodeError(`invalid JSON: ${(e as Error).message}`);
  }
  const o = obj(root, 'request');
  if (signal === 'metrics') return metricsFromJson(o) as SignalData[S];
  if (signal === 'logs') return logsFromJson(o) as SignalData[S];
  return tracesFromJson(o) as SignalData[S];
}

/** Estimated heap bytes per JSON object or array (JSON.parse's tree, then the decoded pdata object), measured in bench/otlp/cost.ts. */
export const JSON_STRUCT_COST = 120;

/**
 * Estimated memory of decoding this OTLP/JSON body, known before anything is parsed: three times
 * its bytes (the text as a string, the parsed strings, the decoded ones) plus a cost per `{` and
 * `[` (a byte loop, a few percent of JSON.parse's time). Braces inside strings count too: an
 * overestimate only.
 */
export function jsonCost(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x7b || c === 0x5b) n++;
  }
  return 3 * b.length + JSON_STRUCT_COST * n;
}
