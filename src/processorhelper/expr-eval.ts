// Compiles parsed OTTL-subset conditions and statements into closures over one item's context.
import type {
  AnyValue,
  Attributes,
  InstrumentationScope,
  LogRecord,
  Metric,
  Resource,
  Span,
  SpanEvent,
} from '../pdata/types.js';
import type { DataPoint } from './iterate.js';
import { ExprError, parseCondition, parseStatement, type Node } from './expr-parse.js';
import { valueToString } from './value.js';
import { convertValue, withoutKeys } from './actions.js';

export type ContextKind = 'resource' | 'scope' | 'span' | 'spanevent' | 'log' | 'metric' | 'datapoint';

export interface EvalContext {
  resource: Resource;
  scope: InstrumentationScope;
  span?: Span;
  event?: SpanEvent;
  log?: LogRecord;
  metric?: Metric;
  point?: DataPoint;
}

type Val = AnyValue | undefined;
type Getter = (c: EvalContext) => Val;
type Setter = (c: EvalContext, v: Val) => void;
export type Condition = (c: EvalContext) => boolean;
export type Effect = (c: EvalContext) => void;

const ENUMS: Record<string, bigint> = {
  SPAN_KIND_UNSPECIFIED: 0n, SPAN_KIND_INTERNAL: 1n, SPAN_KIND_SERVER: 2n, SPAN_KIND_CLIENT: 3n,
  SPAN_KIND_PRODUCER: 4n, SPAN_KIND_CONSUMER: 5n,
  STATUS_CODE_UNSET: 0n, STATUS_CODE_OK: 1n, STATUS_CODE_ERROR: 2n,
  METRIC_DATA_TYPE_NONE: 0n, METRIC_DATA_TYPE_GAUGE: 1n, METRIC_DATA_TYPE_SUM: 2n,
  METRIC_DATA_TYPE_HISTOGRAM: 3n, METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM: 4n, METRIC_DATA_TYPE_SUMMARY: 5n,
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0n, AGGREGATION_TEMPORALITY_DELTA: 1n, AGGREGATION_TEMPORALITY_CUMULATIVE: 2n,
  SEVERITY_NUMBER_UNSPECIFIED: 0n,
};
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((name, i) => {
  ENUMS[`SEVERITY_NUMBER_${name}`] = BigInt(i * 4 + 1);
  for (let j = 2; j <= 4; j++) ENUMS[`SEVERITY_NUMBER_${name}${j}`] = BigInt(i * 4 + j);
});

const METRIC_TYPES: Record<Metric['type'], bigint> = {
  empty: 0n, gauge: 1n, sum: 2n, histogram: 3n, exponentialHistogram: 4n, summary: 5n,
};

// Small ints are read per item (severity, kind, status): reuse their bigints instead of allocating.
const SMALL = Array.from({ length: 256 }, (_, i) => BigInt(i));
const big = (n: number): bigint => SMALL[n] ?? BigInt(n);
const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '');
const i64 = (n: number | undefined): bigint | undefined => (n === undefined ? undefined : big(n));
const asNum = (v: Val): number | undefined =>
  typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : undefined;

interface Field {
  get: Getter;
  set?: Setter;
}

/** Plain fields of each context, by dotted name. */
function fieldsFor(kind: ContextKind): Record<string, Field> {
  const f: Record<string, Field> = {
    'instrumentation_scope.name': { get: (c) => c.scope.name, set: (c, v) => (c.scope.name = valueToString(v)) },
    'instrumentation_scope.version': { get: (c) => c.scope.version ?? '' },
  };
  const metricFields = (prefix: string): void => {
    f[`${prefix}name`] = { get: (c) => c.metric!.name, set: (c, v) => (c.metric!.name = valueToString(v)) };
    f[`${prefix}unit`] = { get: (c) => c.metric!.unit ?? '', set: (c, v) => (c.metric!.unit = valueToString(v)) };
    f[`${prefix}description`] = {
      get: (c) => c.metric!.description ?? '',
      set: (c, v) => (c.metric!.description = valueToString(v)),
    };
    f[`${prefix}type`] = { get: (c) => METRIC_TYPES[c.metric!.type] };
    f[`${prefix}aggregation_temporality`] = {
      get: (c) => ('aggregationTemporality' in c.metric! ? BigInt(c.metric.aggregationTemporality) : 0n),
    };
    f[`${prefix}is_monotonic`] = { get: (c) => (c.metric!.type === 'sum' ? c.metric!.isMonotonic : false) };
  };
  switch (kind) {
    case 'span':
      Object.assign(f, {
        name: { get: (c) => c.span!.name, set: (c, v) => (c.span!.name = valueToString(v)) },
        kind: { get: (c) => big(c.span!.kind) },
        'status.code': {
          get: (c) => big(c.span!.status.code),
          set: (c, v) => {
            const n = asNum(v);
            if (n !== undefined && n >= 0 && n <= 2) c.span!.status.code = n;
          },
        },
        'status.message': {
          get: (c) => c.span!.status.message ?? '',
          set: (c, v) => (c.span!.status.message = valueToString(v)),
        },
        'trace_id.string': { get: (c) => hex(c.span!.traceId) },
        'span_id.string': { get: (c) => hex(c.span!.spanId) },
        'parent_span_id.string': { get: (c) => hex(c.span!.parentSpanId) },
        trace_state: { get: (c) => c.span!.traceState ?? '' },
        start_time_unix_nano: { get: (c) => c.span!.startTimeUnixNano },
        end_time_unix_nano: { get: (c) => c.span!.endTimeUnixNano },
      } satisfies Record<string, Field>);
      break;
    case 'spanevent':
      f.name = { get: (c) => c.event!.name, set: (c, v) => (c.event!.name = valueToString(v)) };
      f.time_unix_nano = { get: (c) => c.event!.timeUnixNano };
      f['span.name'] = { get: (c) => c.span!.name };
      break;
    case 'log':
      Object.assign(f, {
        body: { get: (c) => c.log!.body, set: (c, v) => (c.log!.body = v === undefined ? null : v) },
        severity_number: {
          get: (c) => big(c.log!.severityNumber),
          set: (c, v) => {
            const n = asNum(v);
            if (n !== undefined) c.log!.severityNumber = n;
          },
        },
        severity_text: {
          get: (c) => c.log!.severityText ?? '',
          set: (c, v) => (c.log!.severityText = valueToString(v)),
        },
        event_name: { get: (c) => c.log!.eventName ?? '' },
        'trace_id.string': { get: (c) => hex(c.log!.traceId) },
        'span_id.string': { get: (c) => hex(c.log!.spanId) },
        time_unix_nano: { get: (c) => c.log!.timeUnixNano },
        observed_time_unix_nano: { get: (c) => c.log!.observedTimeUnixNano },
        flags: { get: (c) => i64(c.log!.flags ?? 0) },
      } satisfies Record<string, Field>);
      break;
    case 'metric':
      metricFields('');
      metricFields('metric.');
      break;
    case 'datapoint':
      metricFields('metric.');
      Object.assign(f, {
        value_int: { get: (c) => (typeof dpValue(c) === 'bigint' ? dpValue(c) : undefined) },
        value_double: { get: (c) => (typeof dpValue(c) === 'number' ? dpValue(c) : undefined) },
        count: { get: (c) => i64((c.point as { count?: number }).count) },
        sum: { get: (c) => (c.point as { sum?: number }).sum },
        start_time_unix_nano: { get: (c) => c.point!.startTimeUnixNano },
        time_unix_nano: { get: (c) => c.point!.timeUnixNano },
        flags: { get: (c) => i64(c.point!.flags ?? 0) },
      } satisfies Record<string, Field>);
      break;
  }
  return f;
}

function dpValue(c: EvalContext): Val {
  const p = c.point as { value?: number | bigint };
  return p.value;
}

/** The attribute map a path names, for this context. */
function mapFor(kind: ContextKind, parts: string[]): ((c: EvalContext) => Attributes | undefined) | undefined {
  const name = parts.join('.');
  if (name === 'resource.attributes') return (c) => c.resource.attributes;
  if (name === 'instrumentation_scope.attributes') return (c) => (c.scope.attributes ??= {});
  if (name !== 'attributes') return undefined;
  switch (kind) {
    case 'resource':
      return (c) => c.resource.attributes;
    case 'scope':
      return (c) => (c.scope.attributes ??= {});
    case 'span':
      return (c) => c.span!.attributes;
    case 'spanevent':
      return (c) => c.event!.attributes;
    case 'log':
      return (c) => c.log!.attributes;
    case 'datapoint':
      return (c) => c.point!.attributes;
    case 'metric':
      return (c) => (c.metric!.metadata ??= {});
  }
}

function pathOf(kind: ContextKind, n: Extract<Node, { t: 'path' }>): Field {
  const map = mapFor(kind, n.parts);
  if (map) {
    if (n.keys.length === 0) return { get: (c) => map(c) };
    const keys = n.keys;
    const last = keys[keys.length - 1]!;
    const parent = (c: EvalContext, create: boolean): Attributes | undefined => {
      let m: Attributes | undefined = map(c);
      for (const k of keys.slice(0, -1)) {
        let x: AnyValue | undefined = m?.[k];
        if ((x === undefined || x === null) && create && m) x = m[k] = {};
        if (typeof x !== 'object' || x === null || Array.isArray(x) || x instanceof Uint8Array) return undefined;
        m = x;
      }
      return m;
    };
    return {
      get: (c) => parent(c, false)?.[last],
      set: (c, v) => {
        const m = parent(c, true);
        if (m && v !== undefined) m[last] = v;
      },
    };
  }
  if (n.keys.length > 0) throw new ExprError(`"${n.parts.join('.')}" is not a map in ${kind} context`);
  const field = fieldsFor(kind)[n.parts.join('.')];
  if (!field) throw new ExprError(`unknown path "${n.parts.join('.')}" in ${kind} context`);
  return field;
}

function cmp(a: Val, b: Val, op: string): boolean {
  const na = asNum(a);
  const nb = asNum(b);
  if (na !== undefined && nb !== undefined) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return order(a < b ? -1 : a > b ? 1 : 0, op);
    return order(na < nb ? -1 : na > nb ? 1 : na === nb ? 0 : NaN, op);
  }
  const an = a === undefined || a === null;
  const bn = b === undefined || b === null;
  if (an || bn) return op === '==' ? an && bn : op === '!=' ? an !== bn : false;
  if (typeof a === 'string' && typeof b === 'string') return order(a < b ? -1 : a > b ? 1 : 0, op);
  if (typeof a === 'boolean' && typeof b === 'boolean') return op === '==' ? a === b : op === '!=' ? a !== b : false;
  if (typeof a === 'object' && typeof b === 'object') {
    const eq = valueToString(a) === valueToString(b);
    return op === '==' ? eq : op === '!=' ? !eq : false;
  }
  // Different types are never equal (as in OTTL).
  return op === '!=';
}

function order(r: number, op: string): boolean {
  if (Number.isNaN(r)) return op === '!=';
  switch (op) {
    case '==': return r === 0;
    case '!=': return r !== 0;
    case '<': return r < 0;
    case '<=': return r <= 0;
    case '>': return r > 0;
    default: return r >= 0;
  }
}

function literalString(n: Node, what: string): string {
  if (n.t !== 'lit' || typeof n.v !== 'string') throw new ExprError(`${what} must be a quoted string`);
  return n.v;
}

function regexOf(n: Node, fn: string): RegExp {
  const p = literalString(n, `${fn}: the pattern`);
  try {
    return new RegExp(p);
  } catch (e) {
    throw new ExprError(`${fn}: invalid regex ${JSON.stringify(p)}: ${(e as Error).message}`);
  }
}

function arity(name: string, args: Node[], n: number): void {
  if (args.length !== n) throw new ExprError(`${name} takes ${n} argument(s), got ${args.length}`);
}

function compileValue(kind: ContextKind, n: Node): Getter {
  switch (n.t) {
    case 'lit': {
      const v = n.v;
      return () => v;
    }
    case 'enum': {
      const v = ENUMS[n.name];
      if (v === undefined) throw new ExprError(`unknown constant ${n.name}`);
      return () => v;
    }
    case 'path':
      return pathOf(kind, n).get;
    case 'list': {
      const items = n.items.map((x) => compileValue(kind, x));
      return (c) => items.map((g) => g(c) ?? null);
    }
    case 'call':
      return compileFunction(kind, n.name, n.args);
    default: {
      const cond = compileCond(kind, n);
      return (c) => cond(c);
    }
  }
}

function compileFunction(kind: ContextKind, name: string, args: Node[]): Getter {
  const typeCheck = (pred: (v: Val) => boolean): Getter => {
    arity(name, args, 1);
    const g = compileValue(kind, args[0]!);
    return (c) => pred(g(c));
  };
  switch (name) {
    case 'IsMatch': {
      arity(name, args, 2);
      const g = compileValue(kind, args[0]!);
      const re = regexOf(args[1]!, name);
      return (c) => {
        const v = g(c);
        return v !== undefined && v !== null && re.test(valueToString(v));
      };
    }
    case 'IsString':
      return typeCheck((v) => typeof v === 'string');
    case 'IsInt':
      return typeCheck((v) => typeof v === 'bigint');
    case 'IsDouble':
      return typeCheck((v) => typeof v === 'number');
    case 'IsBool':
      return typeCheck((v) => typeof v === 'boolean');
    case 'IsMap':
      return typeCheck((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array));
    case 'String':
      return unary(kind, name, args, (v) => (v === undefined || v === null ? v : valueToString(v)));
    case 'Int':
      return unary(kind, name, args, (v) => (v === undefined || v === null ? undefined : convertValue(v, 'int')));
    case 'Double':
      return unary(kind, name, args, (v) => {
        const n = v === undefined || v === null ? undefined : convertValue(v, 'double');
        return Number.isNaN(n) ? undefined : n;
      });
    case 'ToLowerCase':
      return unary(kind, name, args, (v) => (typeof v === 'string' ? v.toLowerCase() : undefined));
    case 'ToUpperCase':
      return unary(kind, name, args, (v) => (typeof v === 'string' ? v.toUpperCase() : undefined));
    case 'Len':
      return unary(kind, name, args, (v) => {
        if (typeof v === 'string' || Array.isArray(v)) return BigInt(v.length);
        if (v && typeof v === 'object' && !(v instanceof Uint8Array)) return BigInt(Object.keys(v).length);
        return undefined;
      });
    case 'Concat': {
      arity(name, args, 2);
      const list = compileValue(kind, args[0]!);
      const sep = literalString(args[1]!, 'Concat: the delimiter');
      return (c) => {
        const v = list(c);
        return Array.isArray(v) ? v.map((x) => valueToString(x)).join(sep) : undefined;
      };
    }
    default:
      throw new ExprError(`unsupported function ${name}()`);
  }
}

function unary(kind: ContextKind, name: string, args: Node[], fn: (v: Val) => Val): Getter {
  arity(name, args, 1);
  const g = compileValue(kind, args[0]!);
  return (c) => fn(g(c));
}

function compileCond(kind: ContextKind, n: Node): Condition {
  switch (n.t) {
    case 'and': {
      const items = n.items.map((x) => compileCond(kind, x));
      return (c) => items.every((f) => f(c));
    }
    case 'or': {
      const items = n.items.map((x) => compileCond(kind, x));
      return (c) => items.some((f) => f(c));
    }
    case 'not': {
      const x = compileCond(kind, n.x);
      return (c) => !x(c);
    }
    case 'cmp': {
      const l = compileValue(kind, n.l);
      const r = compileValue(kind, n.r);
      const op = n.op;
      return (c) => cmp(l(c), r(c), op);
    }
    case 'lit':
      if (typeof n.v === 'boolean') {
        const v = n.v;
        return () => v;
      }
      throw new ExprError(`${JSON.stringify(String(n.v))} is not a condition`);
    case 'call': {
      const g = compileFunction(kind, n.name, n.args);
      return (c) => g(c) === true;
    }
    default:
      throw new ExprError('expected a condition (a comparison, a boolean function, and/or/not)');
  }
}

/** Compile a condition string for a context; throws ExprError with a readable message. */
export function compileCondition(kind: ContextKind, src: string): Condition {
  return compileCond(kind, parseCondition(src));
}

/** Any of several conditions (how the Collector combines a list of them). */
export function compileAny(kind: ContextKind, srcs: string[]): Condition | undefined {
  if (srcs.length === 0) return undefined;
  const conds = srcs.map((x) => compileCondition(kind, x));
  return conds.length === 1 ? conds[0]! : (c) => conds.some((f) => f(c));
}

/** Setter replacing a whole top-level attribute map (so removals can copy instead of `delete`). */
function mapReplacer(kind: ContextKind, parts: string[]): ((c: EvalContext, m: Attributes) => void) | undefined {
  const name = parts.join('.');
  if (name === 'resource.attributes' || (name === 'attributes' && kind === 'resource')) return (c, m) => (c.resource.attributes = m);
  if (name === 'instrumentation_scope.attributes' || (name === 'attributes' && kind === 'scope')) return (c, m) => (c.scope.attributes = m);
  if (name !== 'attributes') return undefined;
  switch (kind) {
    case 'span':
      return (c, m) => (c.span!.attributes = m);
    case 'spanevent':
      return (c, m) => (c.event!.attributes = m);
    case 'log':
      return (c, m) => (c.log!.attributes = m);
    case 'datapoint':
      return (c, m) => (c.point!.attributes = m);
    default:
      return (c, m) => (c.metric!.metadata = m);
  }
}

/** An editor that removes the keys `drop` selects from the map a path names. */
function removeKeys(kind: ContextKind, n: Node, editor: string, drop: (k: string) => boolean): Effect {
  if (n.t !== 'path') throw new ExprError(`${editor}: the first argument must be a map path like attributes`);
  const f = pathOf(kind, n);
  const replace = n.keys.length === 0 ? mapReplacer(kind, n.parts) : undefined;
  return (c) => {
    const m = f.get(c);
    if (!m || typeof m !== 'object' || Array.isArray(m) || m instanceof Uint8Array) return;
    if (replace) {
      const out = withoutKeys(m as Attributes, drop);
      if (out !== m) replace(c, out);
    } else for (const k of Object.keys(m)) if (drop(k)) delete (m as Attributes)[k];
  };
}

/** Compile an editor statement: set, delete_key, delete_matching_keys, keep_keys, with optional where. */
export function compileStatement(kind: ContextKind, src: string): Effect {
  const st = parseStatement(src);
  const { name, args } = st.editor;
  let eff: Effect;
  switch (name) {
    case 'set': {
      arity(name, args, 2);
      const target = args[0]!;
      if (target.t !== 'path') throw new ExprError('set: the first argument must be a path');
      const f = pathOf(kind, target);
      if (!f.set) throw new ExprError(`set: "${target.parts.join('.')}" cannot be set in ${kind} context`);
      const setter = f.set;
      const value = compileValue(kind, args[1]!);
      eff = (c) => {
        const v = value(c);
        // OTTL: setting nil is a no-op.
        if (v !== undefined && v !== null) setter(c, v);
      };
      break;
    }
    case 'delete_key': {
      arity(name, args, 2);
      const key = literalString(args[1]!, 'delete_key: the key');
      eff = removeKeys(kind, args[0]!, name, (k) => k === key);
      break;
    }
    case 'delete_matching_keys': {
      arity(name, args, 2);
      const re = regexOf(args[1]!, name);
      eff = removeKeys(kind, args[0]!, name, (k) => re.test(k));
      break;
    }
    case 'keep_keys': {
      arity(name, args, 2);
      const list = args[1]!;
      if (list.t !== 'list') throw new ExprError('keep_keys: the second argument must be a list of strings');
      const keep = new Set(list.items.map((i) => literalString(i, 'keep_keys: each key')));
      eff = removeKeys(kind, args[0]!, name, (k) => !keep.has(k));
      break;
    }
    default:
      throw new ExprError(`unsupported editor ${name}() (supported: set, delete_key, delete_matching_keys, keep_keys)`);
  }
  if (!st.where) return eff;
  const where = compileCond(kind, st.where);
  return (c) => {
    if (where(c)) eff(c);
  };
}
