// Compiles parsed OTTL into closures over one item's context. Unknown or refused functions,
// wrong arguments and paths a context lacks are ExprErrors with the column they start at; what
// fails on one item at run time is an OttlError (the component's error_mode decides).
import { didYouMean } from '../../config/suggest.js';
import type { KvList } from '../../pdata/types.js';
import { CONVERTERS } from './converters.js';
import { EDITORS } from './editors.js';
import type { Bound, FunctionDef, Param } from './functions.js';
import { ExprError, parseCondition, parseStatement, type Arg, type Key, type Node, type Statement } from './parse.js';
import { indexValue, resolvePath, type ContextKind, type EvalContext, type Field, type Getter } from './paths.js';
import { REFUSED } from './refused.js';
import { compare, isNil, OttlDuration, OttlError, OttlTime, storable, typeName, type Val } from './values.js';

export type Condition = (c: EvalContext) => boolean;
export type Effect = (c: EvalContext) => void;

export interface CompileOptions {
  /** Functions a component adds (the transform processor's metric functions). */
  functions?: readonly FunctionDef[];
}

export const ENUMS: Record<string, bigint> = {
  SPAN_KIND_UNSPECIFIED: 0n, SPAN_KIND_INTERNAL: 1n, SPAN_KIND_SERVER: 2n, SPAN_KIND_CLIENT: 3n,
  SPAN_KIND_PRODUCER: 4n, SPAN_KIND_CONSUMER: 5n,
  STATUS_CODE_UNSET: 0n, STATUS_CODE_OK: 1n, STATUS_CODE_ERROR: 2n,
  METRIC_DATA_TYPE_NONE: 0n, METRIC_DATA_TYPE_GAUGE: 1n, METRIC_DATA_TYPE_SUM: 2n,
  METRIC_DATA_TYPE_HISTOGRAM: 3n, METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM: 4n, METRIC_DATA_TYPE_SUMMARY: 5n,
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0n, AGGREGATION_TEMPORALITY_DELTA: 1n, AGGREGATION_TEMPORALITY_CUMULATIVE: 2n,
  SEVERITY_NUMBER_UNSPECIFIED: 0n,
  FLAG_NONE: 0n, FLAG_NO_RECORDED_VALUE: 1n,
};
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((name, i) => {
  ENUMS[`SEVERITY_NUMBER_${name}`] = BigInt(i * 4 + 1);
  for (let j = 2; j <= 4; j++) ENUMS[`SEVERITY_NUMBER_${name}${j}`] = BigInt(i * 4 + j);
});

class Env {
  readonly fns = new Map<string, FunctionDef>();
  constructor(
    readonly kind: ContextKind,
    extra: readonly FunctionDef[] = [],
  ) {
    for (const f of [...CONVERTERS, ...EDITORS, ...extra]) this.fns.set(f.name, f);
  }
}

const envCache = new Map<ContextKind, Env>();
function envFor(kind: ContextKind, opts?: CompileOptions): Env {
  if (opts?.functions?.length) return new Env(kind, opts.functions);
  let e = envCache.get(kind);
  if (!e) envCache.set(kind, (e = new Env(kind)));
  return e;
}

// ------------------------------------------------------------------ values

function compileKeyGetter(env: Env, k: Extract<Key, { t: 'expr' }>): Getter {
  return compileValue(env, k.x);
}

export function compileField(env: Env, n: Extract<Node, { t: 'path' }>): Field {
  return resolvePath(env.kind, n.parts, n.keys, n.pos, (k) => compileKeyGetter(env, k));
}

function compileValue(env: Env, n: Node): Getter {
  switch (n.t) {
    case 'lit': {
      const v = n.v === null ? undefined : n.v;
      return () => v;
    }
    case 'enum': {
      const v = ENUMS[n.name];
      if (v === undefined) {
        if (env.fns.has(n.name)) throw new ExprError(`${n.name} is a function: call it as ${n.name}(…)`, n.pos);
        throw new ExprError(`unknown constant ${n.name}${didYouMean(n.name, Object.keys(ENUMS))}`, n.pos);
      }
      return () => v;
    }
    case 'path':
      return compileField(env, n).get;
    case 'list': {
      const items = n.items.map((x) => compileValue(env, x));
      return (c) => items.map((g) => storable(g(c), 'a list item'));
    }
    case 'map': {
      const entries = n.entries.map(([k, x]) => [k, compileValue(env, x)] as const);
      return (c) => {
        const out: KvList = {};
        for (const [k, g] of entries) out[k] = storable(g(c), `map key "${k}"`);
        return out;
      };
    }
    case 'call':
      return compileCall(env, n, false);
    case 'math':
      return compileMath(env, n);
    default: {
      const cond = compileCond(env, n);
      return (c) => cond(c);
    }
  }
}

function compileMath(env: Env, n: Extract<Node, { t: 'math' }>): Getter {
  const l = compileValue(env, n.l);
  const r = compileValue(env, n.r);
  const op = n.op;
  return (c) => math(op, l(c), r(c));
}

function math(op: string, a: Val, b: Val): Val {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (op === '/' && b === 0n) throw new OttlError('division by zero');
    return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    if (op === '/' && b === 0) throw new OttlError('division by zero');
    return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
  }
  const t = a instanceof OttlTime;
  const d = a instanceof OttlDuration;
  if ((t || d) && (op === '+' || op === '-')) {
    if (t && b instanceof OttlTime && op === '-') return new OttlDuration(a.ns - b.ns);
    if (t && b instanceof OttlDuration) return new OttlTime(op === '+' ? a.ns + b.ns : a.ns - b.ns, a.tz);
    if (d && b instanceof OttlTime && op === '+') return new OttlTime(a.ns + b.ns, b.tz);
    if (d && b instanceof OttlDuration) return new OttlDuration(op === '+' ? a.ns + b.ns : a.ns - b.ns);
  }
  throw new OttlError(`cannot compute ${typeName(a)} ${op} ${typeName(b)}`);
}

// ------------------------------------------------------------------ calls

function lit(n: Node | undefined): Val {
  return n?.t === 'lit' ? (n.v === null ? undefined : n.v) : undefined;
}

function bind(env: Env, def: FunctionDef, n: { name: string; args: Arg[]; pos: number }): Bound {
  const slots = new Map<string, Node>();
  const byName = (name: string): Param | undefined => def.params.find((p) => p.name === name || p.aliases?.includes(name));
  let positional = 0;
  for (const a of n.args) {
    if (a.name === undefined) {
      const p = def.params[positional++];
      if (!p) throw new ExprError(`${def.name}() takes at most ${def.params.length} argument(s), got ${n.args.length}`, a.pos);
      slots.set(p.name, a.value);
    } else {
      const p = byName(a.name);
      if (!p) throw new ExprError(`${def.name}() has no argument "${a.name}"${didYouMean(a.name, def.params.map((x) => x.name))}`, a.pos);
      if (slots.has(p.name)) throw new ExprError(`${def.name}(): argument "${a.name}" given twice`, a.pos);
      slots.set(p.name, a.value);
    }
  }
  for (const p of def.params)
    if (!p.optional && !slots.has(p.name)) {
      const req = def.params.filter((x) => !x.optional).length;
      throw new ExprError(`${def.name}() needs its "${p.name}" argument (${req} required, ${def.params.length} at most; got ${n.args.length})`, n.pos);
    }
  return makeBound(env, def, slots, new Map(), n.pos);
}

function makeBound(env: Env, def: FunctionDef, slots: Map<string, Node>, getters: Map<string, Getter>, pos: number): Bound {
  const fail = (name: string, message: string): never => {
    throw new ExprError(`${def.name}(): ${name}: ${message}`, slots.get(name)?.pos ?? pos);
  };
  const literal = <T>(name: string, want: string, ok: (v: Val) => boolean): T | undefined => {
    const node = slots.get(name);
    if (!node) return undefined;
    const v = lit(node);
    if (node.t !== 'lit' || !ok(v)) fail(name, `must be a literal ${want}`);
    return v as T;
  };
  return {
    has: (name) => slots.has(name) || getters.has(name),
    node: (name) => slots.get(name),
    get: (name) => {
      const g = getters.get(name);
      if (g) return g;
      const node = slots.get(name);
      return node ? compileValue(env, node) : () => undefined;
    },
    path: (name) => {
      const node = slots.get(name);
      if (!node || node.t !== 'path') return fail(name, 'must be a path such as attributes or attributes["key"]');
      return compileField(env, node);
    },
    str: (name) => literal<string>(name, 'string', (v) => typeof v === 'string'),
    int: (name) => {
      const v = literal<bigint>(name, 'int', (x) => typeof x === 'bigint');
      return v === undefined ? undefined : Number(v);
    },
    float: (name) => {
      const v = literal<number | bigint>(name, 'number', (x) => typeof x === 'number' || typeof x === 'bigint');
      return v === undefined ? undefined : Number(v);
    },
    bool: (name) => literal<boolean>(name, 'bool (true or false)', (x) => typeof x === 'boolean'),
    strings: (name) => {
      const node = slots.get(name);
      if (!node) return undefined;
      if (node.t !== 'list' || !node.items.every((i) => i.t === 'lit' && typeof i.v === 'string')) return fail(name, 'must be a list of quoted strings');
      return node.items.map((i) => lit(i) as string);
    },
    list: (name) => {
      const node = slots.get(name);
      if (!node) return undefined;
      if (node.t !== 'list') return fail(name, 'must be a list [ … ]');
      return node.items.map((i) => compileValue(env, i));
    },
    fn: (name) => {
      const node = slots.get(name);
      if (!node) return undefined;
      const fname = node.t === 'enum' ? node.name : node.t === 'path' && node.parts.length === 1 ? node.parts[0]! : undefined;
      const f = fname ? env.fns.get(fname) : undefined;
      const first = f?.params[0];
      if (!f || !first || f.editor || f.params.filter((p) => !p.optional).length !== 1) return fail(name, 'must name a converter that takes one argument, such as SHA256');
      let slot: Val;
      const g = f.build(makeBound(env, f, new Map(), new Map([[first.name, () => slot]]), node.pos), env.kind);
      return (c, v) => {
        slot = v;
        return g(c);
      };
    },
    fail,
  };
}

function unknownFunction(env: Env, name: string, pos: number, editor: boolean): never {
  const refused = REFUSED[name];
  if (refused) throw new ExprError(`${name}() is not supported by telemd: ${refused.why}${refused.instead ? `; use ${refused.instead}` : ''}`, pos);
  const same = [...env.fns.values()].filter((f) => !!f.editor === editor).map((f) => f.name);
  if (editor) throw new ExprError(`unknown editor ${name}()${didYouMean(name, same, `; the editors are ${same.sort().join(', ')}`)}`, pos);
  throw new ExprError(`unknown converter ${name}()${didYouMean(name, same, '; see the transform processor README for the list')}`, pos);
}

function compileCall(env: Env, n: Extract<Node, { t: 'call' }>, asEditor: boolean): Getter {
  const def = env.fns.get(n.name);
  if (!def) return unknownFunction(env, n.name, n.pos, asEditor || /^[a-z]/.test(n.name));
  if (asEditor && !def.editor) throw new ExprError(`${n.name}() is a converter; a statement starts with an editor such as set(…)`, n.pos);
  if (!asEditor && def.editor) throw new ExprError(`${n.name}() is an editor; it can only start a statement`, n.pos);
  if (def.contexts && !def.contexts.includes(env.kind))
    throw new ExprError(`${n.name}() works in ${def.contexts.join(' or ')} context only (this statement runs in ${env.kind} context)`, n.pos);
  const g = def.build(bind(env, def, n), env.kind);
  if (n.keys.length === 0) return g;
  const keys = n.keys.map((k) => (k.t === 'expr' ? compileValue(env, k.x) : k.v));
  return (c) => {
    let v = g(c);
    for (const k of keys) {
      const kv = typeof k === 'function' ? k(c) : k;
      if (typeof kv !== 'string' && typeof kv !== 'bigint' && typeof kv !== 'number') throw new OttlError(`a key must be a string or an int, got ${typeName(kv)}`);
      v = indexValue(v, typeof kv === 'bigint' ? Number(kv) : kv, `${n.name}()`);
    }
    return v;
  };
}

// ------------------------------------------------------------------ conditions

function compileCond(env: Env, n: Node): Condition {
  switch (n.t) {
    case 'and': {
      const items = n.items.map((x) => compileCond(env, x));
      return (c) => {
        for (const f of items) if (!f(c)) return false;
        return true;
      };
    }
    case 'or': {
      const items = n.items.map((x) => compileCond(env, x));
      return (c) => {
        for (const f of items) if (f(c)) return true;
        return false;
      };
    }
    case 'not': {
      const x = compileCond(env, n.x);
      return (c) => !x(c);
    }
    case 'cmp': {
      const l = compileValue(env, n.l);
      const r = compileValue(env, n.r);
      const op = n.op;
      return (c) => compare(l(c), r(c), op);
    }
    case 'lit':
      if (typeof n.v === 'boolean') {
        const v = n.v;
        return () => v;
      }
      throw new ExprError(`${JSON.stringify(String(n.v))} is not a condition`, n.pos);
    case 'call': {
      const g = compileCall(env, n, false);
      const name = n.name;
      return (c) => {
        const v = g(c);
        if (typeof v !== 'boolean') throw new OttlError(`${name}() returned ${typeName(v)}, not a bool`);
        return v;
      };
    }
    case 'path':
      throw new ExprError(`a path is not a condition; compare it, e.g. ${n.parts.join('.')} == true`, n.pos);
    default:
      throw new ExprError('expected a condition (a comparison, a boolean converter, and/or/not)', n.pos);
  }
}

/** Compile a condition for a context; throws ExprError with a readable message. */
export function compileCondition(kind: ContextKind, src: string, opts?: CompileOptions): Condition {
  return compileCond(envFor(kind, opts), parseCondition(src));
}

/** Any of several conditions (how the Collector combines a list of them). */
export function compileAny(kind: ContextKind, srcs: readonly string[], opts?: CompileOptions): Condition | undefined {
  if (srcs.length === 0) return undefined;
  const conds = srcs.map((x) => compileCondition(kind, x, opts));
  return conds.length === 1 ? conds[0]! : (c) => conds.some((f) => f(c));
}

/** Compile an editor statement with its optional where clause. */
export function compileStatement(kind: ContextKind, src: string | Statement, opts?: CompileOptions): Effect {
  const st = typeof src === 'string' ? parseStatement(src) : src;
  const env = envFor(kind, opts);
  const eff = compileCall(env, { t: 'call', name: st.editor.name, args: st.editor.args, keys: [], pos: st.editor.pos }, true);
  if (!st.where) return eff;
  const where = compileCond(env, st.where);
  return (c) => {
    if (where(c)) eff(c);
  };
}

export { isNil };
