// OTTL paths of the Collector's contexts (pkg/ottl/contexts): resource, scope, log, span,
// spanevent, metric, datapoint, plus `cache`. A path may carry its context as a prefix
// (`log.body`, `resource.attributes["k"]`, `metric.name` in datapoint context) or, as in older
// configs, leave it out (`body`, `attributes["k"]`).
import type {
  Attributes,
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  InstrumentationScope,
  KvList,
  LogRecord,
  Metric,
  NumberDataPoint,
  Resource,
  Span,
  SpanEvent,
  SummaryDataPoint,
} from '../../pdata/types.js';
import { didYouMean } from '../../config/suggest.js';
import { ExprError, type Key } from './parse.js';
import { isList, isMap, isNil, OttlError, OttlTime, storable, typeName, type Val } from './values.js';

export type ContextKind = 'resource' | 'scope' | 'span' | 'spanevent' | 'log' | 'metric' | 'datapoint';

export type DataPoint = NumberDataPoint | HistogramDataPoint | ExponentialHistogramDataPoint | SummaryDataPoint;

export interface EvalContext {
  resource: Resource;
  scope: InstrumentationScope;
  span?: Span;
  event?: SpanEvent;
  log?: LogRecord;
  metric?: Metric;
  point?: DataPoint;
  /** The slice `metric` is in: metric functions that add metrics append to it. */
  metrics?: Metric[];
  /** `cache[...]`: a scratch map per item and statement group (transform). */
  cache?: KvList;
}

export type Getter = (c: EvalContext) => Val;
export type Setter = (c: EvalContext, v: Val) => void;
export interface Field {
  get: Getter;
  set?: Setter;
}

type Entity = 'resource' | 'scope' | 'log' | 'span' | 'spanevent' | 'metric' | 'datapoint';

/** Context name prefixes and the entity they name. */
export const PREFIXES: Record<string, Entity> = {
  resource: 'resource', scope: 'scope', instrumentation_scope: 'scope', log: 'log', span: 'span',
  spanevent: 'spanevent', metric: 'metric', datapoint: 'datapoint',
};

/** Entities reachable from each context (its own last). */
export const REACH: Record<ContextKind, Entity[]> = {
  resource: ['resource'],
  scope: ['resource', 'scope'],
  log: ['resource', 'scope', 'log'],
  span: ['resource', 'scope', 'span'],
  spanevent: ['resource', 'scope', 'span', 'spanevent'],
  metric: ['resource', 'scope', 'metric'],
  datapoint: ['resource', 'scope', 'metric', 'datapoint'],
};

const SMALL = Array.from({ length: 256 }, (_, i) => BigInt(i));
const big = (n: number): bigint => SMALL[n] ?? BigInt(n);
const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '');

function idField(get: (c: EvalContext) => Uint8Array | undefined, put: (c: EvalContext, b: Uint8Array) => void, len: number): [Field, Field] {
  const bytes: Field = {
    get: (c) => get(c) ?? new Uint8Array(len),
    set: (c, v) => {
      if (v instanceof Uint8Array && v.length === len) put(c, Uint8Array.from(v));
    },
  };
  const text: Field = {
    get: (c) => hex(get(c)),
    set: (c, v) => {
      if (typeof v === 'string' && new RegExp(`^[0-9a-fA-F]{${len * 2}}$`).test(v)) put(c, Uint8Array.from(Buffer.from(v, 'hex')));
    },
  };
  return [bytes, text];
}

function timeFields(get: (c: EvalContext) => bigint, put: (c: EvalContext, ns: bigint) => void): [Field, Field] {
  return [
    { get: (c) => get(c), set: (c, v) => typeof v === 'bigint' && put(c, v) },
    { get: (c) => new OttlTime(get(c)), set: (c, v) => v instanceof OttlTime && put(c, v.ns) },
  ];
}

function attrs(get: (c: EvalContext) => Attributes, put: (c: EvalContext, m: Attributes) => void): Field {
  return { get, set: (c, v) => isMap(v) && put(c, v) };
}

const KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const METRIC_TYPES: Record<Metric['type'], bigint> = { empty: 0n, gauge: 1n, sum: 2n, histogram: 3n, exponentialHistogram: 4n, summary: 5n };

function resourceTable(): Record<string, Field> {
  return {
    attributes: attrs((c) => c.resource.attributes, (c, m) => (c.resource.attributes = m)),
    dropped_attributes_count: {
      get: (c) => big(c.resource.droppedAttributesCount ?? 0),
      set: (c, v) => typeof v === 'bigint' && (c.resource.droppedAttributesCount = Number(v)),
    },
  };
}

function scopeTable(): Record<string, Field> {
  return {
    name: { get: (c) => c.scope.name, set: (c, v) => typeof v === 'string' && (c.scope.name = v) },
    version: { get: (c) => c.scope.version ?? '', set: (c, v) => typeof v === 'string' && (c.scope.version = v) },
    attributes: attrs((c) => (c.scope.attributes ??= {}), (c, m) => (c.scope.attributes = m)),
    dropped_attributes_count: {
      get: (c) => big(c.scope.droppedAttributesCount ?? 0),
      set: (c, v) => typeof v === 'bigint' && (c.scope.droppedAttributesCount = Number(v)),
    },
  };
}

function logTable(): Record<string, Field> {
  const L = (c: EvalContext) => c.log!;
  const [time_unix_nano, time] = timeFields((c) => L(c).timeUnixNano, (c, ns) => (L(c).timeUnixNano = ns));
  const [observed_time_unix_nano, observed_time] = timeFields((c) => L(c).observedTimeUnixNano, (c, ns) => (L(c).observedTimeUnixNano = ns));
  const [trace_id, trace_id_s] = idField((c) => L(c).traceId, (c, b) => (L(c).traceId = b), 16);
  const [span_id, span_id_s] = idField((c) => L(c).spanId, (c, b) => (L(c).spanId = b), 8);
  return {
    body: { get: (c) => L(c).body, set: (c, v) => (L(c).body = storable(v, 'body')) },
    'body.string': { get: (c) => (isNil(L(c).body) ? '' : typeof L(c).body === 'string' ? L(c).body : JSON.stringify(L(c).body, jsonReplacer)), set: (c, v) => typeof v === 'string' && (L(c).body = v) },
    attributes: attrs((c) => L(c).attributes, (c, m) => (L(c).attributes = m)),
    severity_number: { get: (c) => big(L(c).severityNumber), set: (c, v) => typeof v === 'bigint' && (L(c).severityNumber = Number(v)) },
    severity_text: { get: (c) => L(c).severityText ?? '', set: (c, v) => typeof v === 'string' && (L(c).severityText = v) },
    event_name: { get: (c) => L(c).eventName ?? '', set: (c, v) => typeof v === 'string' && (L(c).eventName = v) },
    time_unix_nano, time, observed_time_unix_nano, observed_time,
    trace_id, 'trace_id.string': trace_id_s, span_id, 'span_id.string': span_id_s,
    flags: { get: (c) => big(L(c).flags ?? 0), set: (c, v) => typeof v === 'bigint' && (L(c).flags = Number(v)) },
    dropped_attributes_count: {
      get: (c) => big(L(c).droppedAttributesCount ?? 0),
      set: (c, v) => typeof v === 'bigint' && (L(c).droppedAttributesCount = Number(v)),
    },
  };
}

const jsonReplacer = (_k: string, x: unknown): unknown =>
  typeof x === 'bigint' ? Number(x) : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x;

function spanTable(): Record<string, Field> {
  const S = (c: EvalContext) => c.span!;
  const [start_time_unix_nano, start_time] = timeFields((c) => S(c).startTimeUnixNano, (c, ns) => (S(c).startTimeUnixNano = ns));
  const [end_time_unix_nano, end_time] = timeFields((c) => S(c).endTimeUnixNano, (c, ns) => (S(c).endTimeUnixNano = ns));
  const [trace_id, trace_id_s] = idField((c) => S(c).traceId, (c, b) => (S(c).traceId = b), 16);
  const [span_id, span_id_s] = idField((c) => S(c).spanId, (c, b) => (S(c).spanId = b), 8);
  const [parent_span_id, parent_span_id_s] = idField((c) => S(c).parentSpanId, (c, b) => (S(c).parentSpanId = b), 8);
  const count = (get: (s: Span) => number | undefined, put: (s: Span, n: number) => void): Field => ({
    get: (c) => big(get(S(c)) ?? 0),
    set: (c, v) => typeof v === 'bigint' && put(S(c), Number(v)),
  });
  return {
    name: { get: (c) => S(c).name, set: (c, v) => typeof v === 'string' && (S(c).name = v) },
    kind: { get: (c) => big(S(c).kind), set: (c, v) => typeof v === 'bigint' && v >= 0n && v <= 5n && (S(c).kind = Number(v)) },
    'kind.string': {
      get: (c) => KINDS[S(c).kind] ?? '',
      set: (c, v) => {
        const i = typeof v === 'string' ? KINDS.indexOf(v) : -1;
        if (i >= 0) S(c).kind = i;
      },
    },
    'status.code': { get: (c) => big(S(c).status.code), set: (c, v) => typeof v === 'bigint' && v >= 0n && v <= 2n && (S(c).status.code = Number(v)) },
    'status.message': { get: (c) => S(c).status.message ?? '', set: (c, v) => typeof v === 'string' && (S(c).status.message = v) },
    trace_state: { get: (c) => S(c).traceState ?? '', set: (c, v) => typeof v === 'string' && (S(c).traceState = v) },
    start_time_unix_nano, start_time, end_time_unix_nano, end_time,
    trace_id, 'trace_id.string': trace_id_s, span_id, 'span_id.string': span_id_s,
    parent_span_id, 'parent_span_id.string': parent_span_id_s,
    attributes: attrs((c) => S(c).attributes, (c, m) => (S(c).attributes = m)),
    flags: count((s) => s.flags, (s, n) => (s.flags = n)),
    dropped_attributes_count: count((s) => s.droppedAttributesCount, (s, n) => (s.droppedAttributesCount = n)),
    dropped_events_count: count((s) => s.droppedEventsCount, (s, n) => (s.droppedEventsCount = n)),
    dropped_links_count: count((s) => s.droppedLinksCount, (s, n) => (s.droppedLinksCount = n)),
  };
}

function spanEventTable(): Record<string, Field> {
  const E = (c: EvalContext) => c.event!;
  const [time_unix_nano, time] = timeFields((c) => E(c).timeUnixNano, (c, ns) => (E(c).timeUnixNano = ns));
  return {
    name: { get: (c) => E(c).name, set: (c, v) => typeof v === 'string' && (E(c).name = v) },
    time_unix_nano, time,
    attributes: attrs((c) => E(c).attributes, (c, m) => (E(c).attributes = m)),
    dropped_attributes_count: {
      get: (c) => big(E(c).droppedAttributesCount ?? 0),
      set: (c, v) => typeof v === 'bigint' && (E(c).droppedAttributesCount = Number(v)),
    },
  };
}

function metricTable(): Record<string, Field> {
  const M = (c: EvalContext) => c.metric!;
  return {
    name: { get: (c) => M(c).name, set: (c, v) => typeof v === 'string' && (M(c).name = v) },
    description: { get: (c) => M(c).description ?? '', set: (c, v) => typeof v === 'string' && (M(c).description = v) },
    unit: { get: (c) => M(c).unit ?? '', set: (c, v) => typeof v === 'string' && (M(c).unit = v) },
    type: { get: (c) => METRIC_TYPES[M(c).type] },
    aggregation_temporality: {
      get: (c) => ('aggregationTemporality' in M(c) ? big((M(c) as { aggregationTemporality: number }).aggregationTemporality) : 0n),
      set: (c, v) => {
        const m = M(c);
        if (typeof v === 'bigint' && v >= 0n && v <= 2n && 'aggregationTemporality' in m) (m as { aggregationTemporality: number }).aggregationTemporality = Number(v);
      },
    },
    is_monotonic: {
      get: (c) => (M(c).type === 'sum' ? (M(c) as { isMonotonic: boolean }).isMonotonic : false),
      set: (c, v) => {
        const m = M(c);
        if (typeof v === 'boolean' && m.type === 'sum') m.isMonotonic = v;
      },
    },
    metadata: attrs((c) => (M(c).metadata ??= {}), (c, m) => (M(c).metadata = m)),
  };
}

function datapointTable(): Record<string, Field> {
  const P = (c: EvalContext) => c.point!;
  const num = (c: EvalContext): NumberDataPoint | undefined => ('value' in P(c) ? (P(c) as NumberDataPoint) : undefined);
  const hist = (c: EvalContext): (HistogramDataPoint & ExponentialHistogramDataPoint & SummaryDataPoint) | undefined =>
    'count' in P(c) ? (P(c) as HistogramDataPoint & ExponentialHistogramDataPoint & SummaryDataPoint) : undefined;
  const exp = (c: EvalContext): ExponentialHistogramDataPoint | undefined => ('scale' in P(c) ? (P(c) as ExponentialHistogramDataPoint) : undefined);
  const [start_time_unix_nano, start_time] = timeFields((c) => P(c).startTimeUnixNano, (c, ns) => (P(c).startTimeUnixNano = ns));
  const [time_unix_nano, time] = timeFields((c) => P(c).timeUnixNano, (c, ns) => (P(c).timeUnixNano = ns));
  const ints = (v: Val): number[] | undefined => (isList(v) && v.every((x) => typeof x === 'bigint') ? v.map(Number) : undefined);
  const buckets = (side: 'positive' | 'negative'): Record<string, Field> => ({
    [`${side}.offset`]: { get: (c) => (exp(c) ? BigInt(exp(c)![side].offset) : undefined), set: (c, v) => exp(c) && typeof v === 'bigint' && (exp(c)![side].offset = Number(v)) },
    [`${side}.bucket_counts`]: {
      get: (c) => exp(c)?.[side].bucketCounts.map((n) => BigInt(n)),
      set: (c, v) => {
        const l = ints(v);
        if (exp(c) && l) exp(c)![side].bucketCounts = l;
      },
    },
  });
  return {
    attributes: attrs((c) => P(c).attributes, (c, m) => (P(c).attributes = m)),
    start_time_unix_nano, start_time, time_unix_nano, time,
    value_double: {
      get: (c) => {
        const p = num(c);
        return p ? (typeof p.value === 'number' ? p.value : 0) : undefined;
      },
      set: (c, v) => {
        const p = num(c);
        if (p && typeof v === 'number') p.value = v;
      },
    },
    value_int: {
      get: (c) => {
        const p = num(c);
        return p ? (typeof p.value === 'bigint' ? p.value : 0n) : undefined;
      },
      set: (c, v) => {
        const p = num(c);
        if (p && typeof v === 'bigint') p.value = v;
      },
    },
    flags: { get: (c) => big(P(c).flags ?? 0), set: (c, v) => typeof v === 'bigint' && (P(c).flags = Number(v)) },
    count: { get: (c) => (hist(c) ? BigInt(hist(c)!.count) : undefined), set: (c, v) => hist(c) && typeof v === 'bigint' && (hist(c)!.count = Number(v)) },
    sum: { get: (c) => hist(c)?.sum, set: (c, v) => hist(c) && typeof v === 'number' && (hist(c)!.sum = v) },
    bucket_counts: {
      get: (c) => ('bucketCounts' in P(c) ? (P(c) as HistogramDataPoint).bucketCounts.map((n) => BigInt(n)) : undefined),
      set: (c, v) => {
        const l = ints(v);
        if (l && 'bucketCounts' in P(c)) (P(c) as HistogramDataPoint).bucketCounts = l;
      },
    },
    explicit_bounds: {
      get: (c) => ('explicitBounds' in P(c) ? [...(P(c) as HistogramDataPoint).explicitBounds] : undefined),
      set: (c, v) => {
        if (isList(v) && v.every((x) => typeof x === 'number') && 'explicitBounds' in P(c)) (P(c) as HistogramDataPoint).explicitBounds = v as number[];
      },
    },
    scale: { get: (c) => (exp(c) ? BigInt(exp(c)!.scale) : undefined), set: (c, v) => exp(c) && typeof v === 'bigint' && (exp(c)!.scale = Number(v)) },
    zero_count: { get: (c) => (exp(c) ? BigInt(exp(c)!.zeroCount) : undefined), set: (c, v) => exp(c) && typeof v === 'bigint' && (exp(c)!.zeroCount = Number(v)) },
    ...buckets('positive'),
    ...buckets('negative'),
  };
}

const TABLES: Record<Entity, Record<string, Field>> = {
  resource: resourceTable(),
  scope: scopeTable(),
  log: logTable(),
  span: spanTable(),
  spanevent: spanEventTable(),
  metric: metricTable(),
  datapoint: datapointTable(),
};

const cacheField: Field = { get: (c) => (c.cache ??= {}), set: (c, v) => isMap(v) && (c.cache = v) };

/** The context a path's prefix names, if it has one (`log.body` → log). */
export function pathContext(parts: string[]): Entity | undefined {
  return parts.length > 1 ? PREFIXES[parts[0]!] : undefined;
}

export type KeyCompiler = (k: Extract<Key, { t: 'expr' }>) => Getter;

/** The field a path names in this context, with its keys applied. */
export function resolvePath(kind: ContextKind, parts: string[], keys: Key[], pos: number, compileKey: KeyCompiler): Field {
  let base: Field | undefined;
  let shown = parts.join('.');
  if (parts.length === 1 && parts[0] === 'cache') base = cacheField;
  else {
    const prefixed = pathContext(parts);
    const entity: Entity = prefixed ?? (kind as Entity);
    if (prefixed && !REACH[kind].includes(prefixed))
      throw new ExprError(`"${parts[0]}" paths are not available in ${kind} context (they need the ${prefixed} context)`, pos);
    const name = prefixed ? parts.slice(1).join('.') : shown;
    if (entity === 'span' && name === 'trace_state' && keys.length === 1 && keys[0]!.t === 'str') return traceStateKey(keys[0]!.v);
    base = TABLES[entity][name];
    if (!base) {
      const names = Object.keys(TABLES[entity]).map((n) => (prefixed ? `${parts[0]}.${n}` : n));
      throw new ExprError(`unknown path "${shown}" in ${kind} context${didYouMean(shown, names)}`, pos);
    }
  }
  if (keys.length === 0) return base;
  return keyed(base, keys.map((k) => (k.t === 'expr' ? compileKey(k) : k.v)), shown);
}

type CompiledKey = string | number | Getter;

function keyAt(c: EvalContext, k: CompiledKey): string | number {
  if (typeof k !== 'function') return k;
  const v = k(c);
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new OttlError(`a key must be a string or an int, got ${typeName(v)}`);
}

/** Index into a value: a string key into a map, an int into a slice (nil for a missing key). */
export function indexValue(v: Val, k: string | number, what: string): Val {
  if (isNil(v)) return undefined;
  if (typeof k === 'string') {
    if (!isMap(v)) throw new OttlError(`${what}: a ${typeName(v)} cannot be indexed by the string "${k}"`);
    return v[k];
  }
  if (!isList(v)) throw new OttlError(`${what}: a ${typeName(v)} cannot be indexed by the int ${k}`);
  if (k < 0 || k >= v.length) throw new OttlError(`${what}: index ${k} out of range (length ${v.length})`);
  return v[k];
}

function keyed(base: Field, keys: CompiledKey[], what: string): Field {
  return {
    get: (c) => {
      let v = base.get(c);
      for (const k of keys) v = indexValue(v, keyAt(c, k), what);
      return v;
    },
    set: (c, value) => {
      let root = base.get(c);
      if (isNil(root)) {
        if (!base.set) throw new OttlError(`${what} cannot be set`);
        root = typeof keyAt(c, keys[0]!) === 'number' ? [] : {};
        base.set(c, root);
        root = base.get(c);
      }
      let cur = root;
      for (let i = 0; i < keys.length; i++) {
        const k = keyAt(c, keys[i]!);
        const last = i === keys.length - 1;
        if (typeof k === 'string') {
          if (!isMap(cur)) throw new OttlError(`${what}: a ${typeName(cur)} cannot be indexed by the string "${k}"`);
          if (last) {
            cur[k] = storable(value, what);
            return;
          }
          let nx = cur[k];
          if (isNil(nx)) nx = cur[k] = typeof keyAt(c, keys[i + 1]!) === 'number' ? [] : {};
          cur = nx;
        } else {
          if (!isList(cur)) throw new OttlError(`${what}: a ${typeName(cur)} cannot be indexed by the int ${k}`);
          if (k < 0 || k >= cur.length) throw new OttlError(`${what}: index ${k} out of range (length ${cur.length})`);
          if (last) {
            cur[k] = storable(value, what);
            return;
          }
          cur = cur[k]!;
        }
      }
    },
  };
}

/** `span.trace_state["key"]`: one member of the W3C tracestate list. */
function traceStateKey(key: string): Field {
  const members = (s: string): [string, string][] =>
    s.split(',').map((m) => m.trim()).filter(Boolean).map((m) => {
      const i = m.indexOf('=');
      return [m.slice(0, i), m.slice(i + 1)] as [string, string];
    });
  return {
    get: (c) => members(c.span!.traceState ?? '').find(([k]) => k === key)?.[1],
    set: (c, v) => {
      if (typeof v !== 'string') return;
      const rest = members(c.span!.traceState ?? '').filter(([k]) => k !== key);
      c.span!.traceState = [[key, v], ...rest].map(([k, x]) => `${k}=${x}`).join(',');
    },
  };
}

