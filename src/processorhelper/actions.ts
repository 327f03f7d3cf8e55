// The attribute-action engine shared by the attributes and resource processors, with the
// Collector's keys: insert, update, upsert, delete, hash, extract, convert.
import * as crypto from 'node:crypto';
import { s, type Infer } from '../config/schema.js';
import type { AnyValue, Attributes } from '../pdata/types.js';
import { configValue, valueToString } from './value.js';
import { compileGoRegex, hasNamedGroup, mustGoRegex, mustGoRegExp, namedGroups } from '../util/goregex.js';

export const ACTIONS = ['insert', 'update', 'upsert', 'delete', 'hash', 'extract', 'convert'] as const;

export const actionSchema = s.object({
  key: s.string().optional().describe('Attribute the action applies to'),
  action: s.enum(ACTIONS),
  value: s.unknown().optional().describe('Literal value for insert/update/upsert'),
  from_attribute: s.string().optional().describe('Copy the value of this attribute instead of a literal'),
  pattern: s.string().optional().describe('extract: regex with named groups; delete/hash: regex on keys'),
  converted_type: s.enum(['int', 'double', 'string'] as const).optional(),
});
export type ActionConfig = Infer<typeof actionSchema>;

/** Cross-field checks; messages name the action's index. */
export function validateActions(actions: ActionConfig[], field = 'actions'): string[] {
  const errs: string[] = [];
  actions.forEach((a, i) => {
    const at = `${field}[${i}] (${a.action})`;
    const hasValue = a.value !== undefined;
    const hasFrom = a.from_attribute !== undefined;
    switch (a.action) {
      case 'insert':
      case 'update':
      case 'upsert':
        if (!a.key) errs.push(`${at}: "key" is required`);
        if (hasValue === hasFrom) errs.push(`${at}: set exactly one of "value" or "from_attribute"`);
        break;
      case 'delete':
      case 'hash':
        if (!a.key && !a.pattern) errs.push(`${at}: set "key" or "pattern"`);
        break;
      case 'extract':
        if (!a.key || !a.pattern) errs.push(`${at}: "key" and "pattern" are required`);
        else if (!hasNamedGroup(a.pattern))
          errs.push(`${at}: "pattern" needs at least one named group like (?P<name>...) or (?<name>...)`);
        break;
      case 'convert':
        if (!a.key || !a.converted_type) errs.push(`${at}: "key" and "converted_type" are required`);
        break;
    }
    if (a.pattern !== undefined) {
      const re = compileGoRegex(a.pattern);
      if (typeof re === 'string') errs.push(`${at}: ${re.replace(/^invalid regexp/, 'invalid pattern')}`);
    }
  });
  return errs;
}

// One-shot crypto.hash (Node >= 20.12) is several times faster than a Hash object per value.
const sha256hex: (data: string | Buffer) => string =
  typeof crypto.hash === 'function'
    ? (d) => crypto.hash('sha256', d, 'hex')
    : (d) => crypto.createHash('sha256').update(d).digest('hex');

// Hashed values repeat (user ids, IPs): a bounded memo saves most SHA-256 calls.
const memo = new Map<string, string>();
const MEMO_MAX = 10_000;

/** SHA-256 hex of the value's bytes (strings as UTF-8, int/double little-endian, bool 1 byte). */
export function hashValue(v: AnyValue): string {
  if (typeof v === 'string') {
    let h = memo.get(v);
    if (h === undefined) {
      h = sha256hex(v);
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(v, h);
    }
    return h;
  }
  let buf: Buffer;
  if (typeof v === 'boolean') buf = Buffer.from([v ? 1 : 0]);
  else if (typeof v === 'bigint') {
    buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt.asIntN(64, v));
  } else if (typeof v === 'number') {
    buf = Buffer.alloc(8);
    buf.writeDoubleLE(v);
  } else if (v instanceof Uint8Array) buf = Buffer.from(v);
  else buf = Buffer.from(valueToString(v), 'utf8');
  return sha256hex(buf);
}

export function convertValue(v: AnyValue, to: 'int' | 'double' | 'string'): AnyValue | undefined {
  if (to === 'string') return valueToString(v);
  if (to === 'int') {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : undefined;
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return BigInt(v.trim());
    return undefined;
  }
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/** Applies to a map and returns it, or a copy when keys were removed (V8's `delete` is slow). */
export type AttrAction = (attrs: Attributes) => Attributes;

/** A copy of `attrs` without the keys `drop` selects; the same object when none is selected. */
export function withoutKeys(attrs: Attributes, drop: (k: string) => boolean): Attributes {
  let found = false;
  for (const k in attrs)
    if (drop(k)) {
      found = true;
      break;
    }
  if (!found) return attrs;
  const out: Attributes = {};
  for (const k in attrs) if (!drop(k)) out[k] = attrs[k]!;
  return out;
}

function compileOne(a: ActionConfig): AttrAction {
  const key = a.key ?? '';
  const literal = a.value === undefined ? undefined : configValue(a.value);
  const from = a.from_attribute;
  const source = (attrs: Attributes): AnyValue | undefined =>
    from !== undefined ? attrs[from] : literal;
  const keyRe = a.pattern !== undefined ? mustGoRegex(a.pattern) : undefined;
  switch (a.action) {
    case 'insert':
      return (attrs) => {
        if (key in attrs) return attrs;
        const v = source(attrs);
        if (v !== undefined) attrs[key] = v;
        return attrs;
      };
    case 'update':
      return (attrs) => {
        if (!(key in attrs)) return attrs;
        const v = source(attrs);
        if (v !== undefined) attrs[key] = v;
        return attrs;
      };
    case 'upsert':
      return (attrs) => {
        const v = source(attrs);
        if (v !== undefined) attrs[key] = v;
        return attrs;
      };
    case 'delete': {
      const hasKey = a.key !== undefined;
      const drop = keyRe
        ? (k: string) => (hasKey && k === key) || keyRe.test(k)
        : (k: string) => k === key;
      return (attrs) => (!keyRe && !(key in attrs) ? attrs : withoutKeys(attrs, drop));
    }
    case 'hash':
      return (attrs) => {
        if (a.key !== undefined && key in attrs && attrs[key] !== null) attrs[key] = hashValue(attrs[key]!);
        if (keyRe)
          for (const k of Object.keys(attrs))
            if (keyRe.test(k) && attrs[k] !== null && !(a.key !== undefined && k === key))
              attrs[k] = hashValue(attrs[k]!);
        return attrs;
      };
    case 'extract': {
      const re = mustGoRegExp(a.pattern!);
      return (attrs) => {
        const v = attrs[key];
        if (typeof v !== 'string') return attrs;
        const m = re.exec(v);
        if (!m) return attrs;
        Object.assign(attrs, namedGroups(m, re.names));
        return attrs;
      };
    }
    case 'convert': {
      const to = a.converted_type!;
      return (attrs) => {
        const v = attrs[key];
        if (v === undefined || v === null) return attrs;
        const c = convertValue(v, to);
        if (c !== undefined) attrs[key] = c;
        return attrs;
      };
    }
  }
}

/** Compile actions once; the result applies them in order to an attribute map. */
export function compileActions(actions: ActionConfig[]): AttrAction {
  const fns = actions.map(compileOne);
  if (fns.length === 1) return fns[0]!;
  return (attrs) => {
    for (const f of fns) attrs = f(attrs);
    return attrs;
  };
}
