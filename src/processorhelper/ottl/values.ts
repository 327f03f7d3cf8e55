// Runtime values of OTTL: pdata values (AnyValue), nil (undefined/null), and the two Go types
// OTTL adds, time.Time and time.Duration (nanoseconds as bigint). Comparison follows the
// Collector's comparison rules (LANGUAGE.md).
import type { AnyValue, KvList } from '../../pdata/types.js';

export class OttlTime {
  /** `tz`: UTC (pdata timestamps), Local (Now()) or an IANA zone (Time() with a location). */
  constructor(
    readonly ns: bigint,
    readonly tz = 'UTC',
  ) {}
}
export class OttlDuration {
  constructor(readonly ns: bigint) {}
}

export type Val = AnyValue | undefined | OttlTime | OttlDuration;

/** A statement that failed on one item (the error_mode decides what happens). */
export class OttlError extends Error {}

export const isNil = (v: Val): v is null | undefined => v === undefined || v === null;
export const isMap = (v: Val): v is KvList =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof OttlTime) && !(v instanceof OttlDuration);
export const isList = (v: Val): v is AnyValue[] => Array.isArray(v);

export function typeName(v: Val): string {
  if (isNil(v)) return 'nil';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof OttlTime) return 'time';
  if (v instanceof OttlDuration) return 'duration';
  return Array.isArray(v) ? 'slice' : 'map';
}

/** Go's strconv.FormatFloat(f, 'g'-like, -1): what pcommon's AsString gives for a double. */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [m, e] = n.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** JSON the way pcommon marshals a map or slice (ints as numbers, bytes as base64). */
export function toJson(v: Val): string {
  return JSON.stringify(jsonable(v));
}

function jsonable(v: Val): unknown {
  if (isNil(v)) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof OttlTime || v instanceof OttlDuration) return String(v.ns);
  if (Array.isArray(v)) return v.map(jsonable);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonable(x)]));
  return v;
}

/** pcommon Value.AsString: what matching, Concat and hashing see. */
export function asString(v: Val): string {
  if (isNil(v)) return '';
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'number':
      return formatDouble(v);
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof OttlTime) return new Date(Number(v.ns / 1_000_000n)).toISOString();
  if (v instanceof OttlDuration) return formatGoDuration(v.ns);
  return toJson(v);
}

/** Go's time.Duration.String(): 1h2m3.5s, 150ms, 0s. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let n = neg ? -ns : ns;
  let out: string;
  if (n < 1000n) out = `${n}ns`;
  else if (n < 1_000_000n) out = `${trimFrac(Number(n) / 1e3)}µs`;
  else if (n < 1_000_000_000n) out = `${trimFrac(Number(n) / 1e6)}ms`;
  else {
    const h = n / 3_600_000_000_000n;
    n -= h * 3_600_000_000_000n;
    const m = n / 60_000_000_000n;
    n -= m * 60_000_000_000n;
    const s = `${trimFrac(Number(n) / 1e9)}s`;
    out = h > 0n ? `${h}h${m}m${s}` : m > 0n ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}
const trimFrac = (x: number): string => String(Number(x.toFixed(9)));

/** A value fit for an attribute: AnyValue, or an error for time/duration. */
export function storable(v: Val, what: string): AnyValue {
  if (v instanceof OttlTime || v instanceof OttlDuration)
    throw new OttlError(`${what}: a ${typeName(v)} cannot be stored in an attribute (use UnixNano(), FormatTime() or Nanoseconds())`);
  return v === undefined ? null : v;
}

/** Deep copy of a map or slice (values set from one place to another must not alias). */
export function copyValue<T extends Val>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => copyValue(x)) as T;
  if (isMap(v)) {
    const out: KvList = {};
    for (const k of Object.keys(v)) out[k] = copyValue(v[k]);
    return out as T;
  }
  return v;
}

function deepEqual(a: Val, b: Val): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => compare(x, b[i], '=='));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && compare(a[k], b[k], '=='));
  }
  return false;
}

function order(r: number, op: string): boolean {
  switch (op) {
    case '==': return r === 0;
    case '!=': return r !== 0;
    case '<': return r < 0;
    case '<=': return r <= 0;
    case '>': return r > 0;
    default: return r >= 0;
  }
}
const sign = <T extends number | bigint | string>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

/** OTTL comparison: numbers across int/double, strings, bools (false < true), nil, bytes, time, duration; maps/slices by equality only; other mixes are "not equal". */
export function compare(a: Val, b: Val, op: string): boolean {
  const an = isNil(a);
  const bn = isNil(b);
  if (an || bn) {
    const eq = an && bn;
    return op === '==' ? eq : op === '!=' ? !eq : false;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return order(sign(a, b), op);
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return op === '!=';
    return order(sign(x, y), op);
  }
  if (typeof a === 'string' && typeof b === 'string') return order(sign(a, b), op);
  if (typeof a === 'boolean' && typeof b === 'boolean') return order(sign(Number(a), Number(b)), op);
  if (a instanceof OttlTime && b instanceof OttlTime) return order(sign(a.ns, b.ns), op);
  if (a instanceof OttlDuration && b instanceof OttlDuration) return order(sign(a.ns, b.ns), op);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return order(Buffer.compare(a, b), op);
  if ((isMap(a) && isMap(b)) || (Array.isArray(a) && Array.isArray(b))) {
    const eq = deepEqual(a, b);
    return op === '==' ? eq : op === '!=' ? !eq : false;
  }
  return op === '!=';
}
