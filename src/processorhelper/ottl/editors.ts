// The Collector's OTTL editors (pkg/ottl/ottlfuncs): same names, arguments and effects.
import type { AnyValue, KvList } from '../../pdata/types.js';
import { goRegex, replaceAllGo, type GoRegExp } from '../../util/goregex.js';
import { arg, opt, type Bound, type FunctionDef } from './functions.js';
import type { EvalContext, Field, Getter } from './paths.js';
import { asString, copyValue, isList, isMap, isNil, OttlError, storable, toJson, typeName, type Val } from './values.js';

/** Run `fn` on the map a path names (nothing when it is not a map) and store what it returns. */
function onMap(f: Field, c: EvalContext, fn: (m: KvList) => KvList | undefined): void {
  const m = f.get(c);
  if (!isMap(m)) return;
  const out = fn(m);
  // A new object instead of `delete`: V8 keeps maps that only grow in their fast shape.
  if (out && out !== m) f.set?.(c, out);
}

function filterKeys(m: KvList, keep: (k: string) => boolean): KvList {
  const keys = Object.keys(m);
  if (keys.every(keep)) return m;
  const out: KvList = {};
  for (const k of keys) if (keep(k)) out[k] = m[k]!;
  return out;
}

function regexArg(a: Bound, name: string): GoRegExp {
  const r = goRegex(a.str(name)!);
  return typeof r === 'string' ? a.fail(name, r) : r;
}

/** Go's filepath.Match: `*` and `?` do not cross `/`, `[…]` classes, `\` escapes. */
export function globToRegExp(pattern: string): RegExp | string {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\') {
      if (i + 1 >= pattern.length) return `pattern "${pattern}" ends with a lone \\`;
      re += '\\' + pattern[++i];
    } else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return `pattern "${pattern}" has an unclosed [`;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/[\]\\]/g, '\\$&');
      else cls = cls.replace(/[\]\\^]/g, '\\$&');
      re += `[${cls}]`;
      i = end;
    } else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function globArg(a: Bound, name: string): RegExp {
  const r = globToRegExp(a.str(name)!);
  return typeof r === 'string' ? a.fail(name, r) : r;
}

/** The optional `function` and `replacement_format` of the replace_* editors. */
function replacementPost(a: Bound): ((c: EvalContext, s: string) => string) | undefined {
  const fn = a.fn('function');
  const format = a.str('replacement_format');
  if (format !== undefined && (format.match(/%s/g) ?? []).length !== 1) a.fail('replacement_format', 'must contain exactly one %s');
  if (format !== undefined && !/^[^%]*%s[^%]*$/.test(format)) a.fail('replacement_format', 'no format specifier other than one %s is supported');
  if (!fn && format === undefined) return undefined;
  return (c, s) => {
    let v: Val = s;
    if (fn) {
      v = fn(c, s);
      if (typeof v !== 'string') throw new OttlError(`the replacement function returned ${typeName(v)}, not a string`);
    }
    return format !== undefined ? format.replace('%s', v as string) : (v as string);
  };
}

function replacementOf(a: Bound): Getter {
  const g = a.get('replacement');
  return (c) => {
    const v = g(c);
    if (typeof v !== 'string') throw new OttlError(`replacement: expected a string, got ${typeName(v)}`);
    return v;
  };
}

const REPLACE_TAIL = [opt('function', 'function'), opt('replacement_format', 'string')];

function truncate(s: string, limit: number, safe: boolean, marker: string): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= limit) return s;
  let end = limit - Buffer.byteLength(marker);
  if (safe) while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8') + marker;
}

/** flatten(): nested maps (and slices) to dotted keys, to `depth`, optionally resolving clashes. */
function flatten(m: KvList, prefix: string, depth: number, resolve: boolean): KvList {
  const out: KvList = {};
  const put = (k: string, v: AnyValue): void => {
    if (!resolve || !(k in out)) {
      out[k] = v;
      return;
    }
    let n = 0;
    while (`${k}.${n}` in out) n++;
    out[`${k}.${n}`] = v;
  };
  const walk = (v: AnyValue, key: string, level: number): void => {
    if (isMap(v) && level < depth) {
      for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k, level + 1);
    } else if (isList(v) && level < depth) {
      if (resolve) for (const x of v) walk(x, key, level + 1);
      else v.forEach((x, i) => walk(x, key ? `${key}.${i}` : String(i), level + 1));
    } else put(key, v);
  };
  for (const [k, v] of Object.entries(m)) walk(v, prefix ? `${prefix}.${k}` : k, 0);
  return out;
}

export const EDITORS: FunctionDef[] = [
  {
    name: 'set',
    editor: true,
    params: [arg('target', 'path'), arg('value', 'any')],
    build: (a) => {
      const f = a.path('target');
      if (!f.set) a.fail('target', 'this path cannot be set');
      const set = f.set!;
      const v = a.get('value');
      return (c) => {
        const x = v(c);
        // As in the Collector (without the ottl.set.allowNil gate): setting nil does nothing.
        if (!isNil(x)) set(c, copyValue(x));
        return undefined;
      };
    },
  },
  {
    name: 'append',
    editor: true,
    params: [arg('target', 'path'), opt('value', 'any'), opt('values', 'list')],
    build: (a) => {
      const f = a.path('target');
      if (!a.has('value') && !a.has('values')) a.fail('value', 'give value or values');
      const one = a.has('value') ? a.get('value') : undefined;
      const many = a.list('values') ?? [];
      return (c) => {
        const cur = f.get(c);
        const list: AnyValue[] = isList(cur) ? [...cur] : isNil(cur) ? [] : [storable(cur, 'append')];
        if (one) {
          const v = one(c);
          if (!isNil(v)) list.push(...(isList(v) ? copyValue(v) : [storable(v, 'append')]));
        }
        for (const g of many) {
          const v = g(c);
          if (!isNil(v)) list.push(storable(copyValue(v), 'append'));
        }
        f.set?.(c, list);
        return undefined;
      };
    },
  },
  {
    name: 'delete_index',
    editor: true,
    params: [arg('target', 'path'), arg('start_index', 'any'), opt('end_index', 'any')],
    build: (a) => {
      const f = a.path('target');
      const s = a.get('start_index');
      const e = a.has('end_index') ? a.get('end_index') : undefined;
      return (c) => {
        const l = f.get(c);
        if (!isList(l)) throw new OttlError(`delete_index: expected a slice, got ${typeName(l)}`);
        const start = s(c);
        const end = e ? e(c) : typeof start === 'bigint' ? start + 1n : undefined;
        if (typeof start !== 'bigint' || typeof end !== 'bigint') throw new OttlError('delete_index: the indexes must be ints');
        if (start < 0n || start >= BigInt(l.length) || end < start || end > BigInt(l.length))
          throw new OttlError(`delete_index: indexes ${start}..${end} out of range (length ${l.length})`);
        f.set?.(c, [...l.slice(0, Number(start)), ...l.slice(Number(end))]);
        return undefined;
      };
    },
  },
  {
    name: 'delete_key',
    editor: true,
    params: [arg('target', 'path'), arg('key', 'any')],
    build: (a) => {
      const f = a.path('target');
      const key = a.get('key');
      return (c) => {
        const k = key(c);
        if (typeof k !== 'string') throw new OttlError(`delete_key: the key must be a string, got ${typeName(k)}`);
        onMap(f, c, (m) => (k in m ? filterKeys(m, (x) => x !== k) : m));
        return undefined;
      };
    },
  },
  {
    name: 'delete_matching_keys',
    editor: true,
    params: [arg('target', 'path'), arg('pattern', 'string')],
    build: (a) => {
      const f = a.path('target');
      const re = regexArg(a, 'pattern');
      return (c) => (onMap(f, c, (m) => filterKeys(m, (k) => !re.test(k))), undefined);
    },
  },
  {
    name: 'keep_keys',
    editor: true,
    params: [arg('target', 'path'), arg('keys', 'strings')],
    build: (a) => {
      const f = a.path('target');
      const keep = new Set(a.strings('keys'));
      return (c) => (onMap(f, c, (m) => filterKeys(m, (k) => keep.has(k))), undefined);
    },
  },
  {
    name: 'keep_matching_keys',
    editor: true,
    params: [arg('target', 'path'), arg('pattern', 'string')],
    build: (a) => {
      const f = a.path('target');
      const re = regexArg(a, 'pattern');
      return (c) => (onMap(f, c, (m) => filterKeys(m, (k) => re.test(k))), undefined);
    },
  },
  {
    name: 'flatten',
    editor: true,
    params: [arg('target', 'path'), opt('prefix', 'string'), opt('depth', 'int'), opt('resolve_conflicts', 'bool')],
    build: (a) => {
      const f = a.path('target');
      const prefix = a.str('prefix') ?? '';
      const depth = a.int('depth') ?? Infinity;
      if (depth < 0) a.fail('depth', 'must not be negative');
      const resolve = a.bool('resolve_conflicts') ?? false;
      return (c) => (onMap(f, c, (m) => flatten(m, prefix, depth, resolve)), undefined);
    },
  },
  {
    name: 'limit',
    editor: true,
    params: [arg('target', 'path'), arg('limit', 'int'), opt('priority_keys', 'strings')],
    build: (a) => {
      const f = a.path('target');
      const limit = a.int('limit')!;
      const prio = a.strings('priority_keys') ?? [];
      if (limit < 0) a.fail('limit', 'must not be negative');
      if (prio.length > limit) a.fail('priority_keys', `${prio.length} priority keys do not fit a limit of ${limit}`);
      return (c) => {
        onMap(f, c, (m) => {
          const keys = Object.keys(m);
          if (keys.length <= limit) return m;
          const keep = new Set(prio.filter((k) => k in m));
          for (const k of keys) {
            if (keep.size >= limit) break;
            keep.add(k);
          }
          return filterKeys(m, (k) => keep.has(k));
        });
        return undefined;
      };
    },
  },
  {
    name: 'merge_maps',
    editor: true,
    params: [arg('target', 'path'), arg('source', 'any'), arg('strategy', 'string')],
    build: (a) => {
      const f = a.path('target');
      const src = a.get('source');
      const strategy = a.str('strategy')!;
      if (!['insert', 'update', 'upsert'].includes(strategy)) a.fail('strategy', 'must be insert, update or upsert');
      return (c) => {
        const s = src(c);
        if (isNil(s)) return undefined;
        if (!isMap(s)) throw new OttlError(`merge_maps: the source is ${typeName(s)}, not a map`);
        onMap(f, c, (m) => {
          const out: KvList = { ...m };
          for (const [k, v] of Object.entries(s)) {
            const has = k in m;
            if ((strategy === 'insert' && !has) || (strategy === 'update' && has) || strategy === 'upsert') out[k] = copyValue(v);
          }
          return out;
        });
        return undefined;
      };
    },
  },
  {
    name: 'replace_all_matches',
    editor: true,
    params: [arg('target', 'path'), arg('pattern', 'string'), arg('replacement', 'any'), ...REPLACE_TAIL],
    build: (a) => {
      const f = a.path('target');
      const glob = globArg(a, 'pattern');
      const rep = replacementOf(a);
      const post = replacementPost(a);
      return (c) => {
        onMap(f, c, (m) => {
          let out: KvList | undefined;
          for (const [k, v] of Object.entries(m))
            if (typeof v === 'string' && glob.test(v)) {
              const r = rep(c) as string;
              (out ??= { ...m })[k] = post ? post(c, r) : r;
            }
          return out ?? m;
        });
        return undefined;
      };
    },
  },
  {
    name: 'replace_all_patterns',
    editor: true,
    params: [arg('target', 'path'), arg('mode', 'string'), arg('regex', 'string'), arg('replacement', 'any'), ...REPLACE_TAIL],
    build: (a) => {
      const f = a.path('target');
      const mode = a.str('mode')!;
      if (mode !== 'key' && mode !== 'value') a.fail('mode', 'must be key or value');
      const re = regexArg(a, 'regex');
      const rep = replacementOf(a);
      const post = replacementPost(a);
      return (c) => {
        onMap(f, c, (m) => {
          const r = rep(c) as string;
          const swap = (s: string) => replaceAllGo(re, s, r, post ? (x) => post(c, x) : undefined);
          if (mode === 'value') {
            let out: KvList | undefined;
            for (const [k, v] of Object.entries(m))
              if (typeof v === 'string' && re.test(v)) (out ??= { ...m })[k] = swap(v);
            return out ?? m;
          }
          if (!Object.keys(m).some((k) => re.test(k))) return m;
          const out: KvList = {};
          for (const [k, v] of Object.entries(m)) out[re.test(k) ? swap(k) : k] = v;
          return out;
        });
        return undefined;
      };
    },
  },
  {
    name: 'replace_match',
    editor: true,
    params: [arg('target', 'path'), arg('pattern', 'string'), arg('replacement', 'any'), ...REPLACE_TAIL],
    build: (a) => {
      const f = a.path('target');
      const glob = globArg(a, 'pattern');
      const rep = replacementOf(a);
      const post = replacementPost(a);
      return (c) => {
        const v = f.get(c);
        if (typeof v === 'string' && glob.test(v)) {
          const r = rep(c) as string;
          f.set?.(c, post ? post(c, r) : r);
        }
        return undefined;
      };
    },
  },
  {
    name: 'replace_pattern',
    editor: true,
    params: [arg('target', 'path'), arg('regex', 'string'), arg('replacement', 'any'), ...REPLACE_TAIL],
    build: (a) => {
      const f = a.path('target');
      const re = regexArg(a, 'regex');
      const rep = replacementOf(a);
      const post = replacementPost(a);
      return (c) => {
        const v = f.get(c);
        if (typeof v === 'string' && re.test(v)) f.set?.(c, replaceAllGo(re, v, rep(c) as string, post ? (x) => post(c, x) : undefined));
        return undefined;
      };
    },
  },
  {
    name: 'stringify_all',
    editor: true,
    params: [arg('target', 'path')],
    build: (a) => {
      const f = a.path('target');
      return (c) => {
        onMap(f, c, (m) => {
          if (Object.values(m).every((v) => typeof v === 'string')) return m;
          const out: KvList = {};
          for (const [k, v] of Object.entries(m))
            out[k] = typeof v === 'string' ? v : isNil(v) ? '' : isMap(v) || isList(v) ? toJson(v) : asString(v);
          return out;
        });
        return undefined;
      };
    },
  },
  {
    name: 'truncate_all',
    editor: true,
    params: [arg('target', 'path'), arg('limit', 'int'), opt('utf8_safe', 'bool'), opt('truncation_marker', 'string')],
    build: (a) => {
      const f = a.path('target');
      const limit = a.int('limit')!;
      const safe = a.bool('utf8_safe') ?? true;
      const marker = a.str('truncation_marker') ?? '';
      if (limit < 0) a.fail('limit', 'must not be negative');
      if (Buffer.byteLength(marker) > limit) a.fail('truncation_marker', `is longer than the limit of ${limit} bytes`);
      return (c) => {
        onMap(f, c, (m) => {
          let out: KvList | undefined;
          for (const [k, v] of Object.entries(m))
            if (typeof v === 'string' && Buffer.byteLength(v) > limit) (out ??= { ...m })[k] = truncate(v, limit, safe, marker);
          return out ?? m;
        });
        return undefined;
      };
    },
  },
];
