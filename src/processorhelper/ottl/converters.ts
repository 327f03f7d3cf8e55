// The Collector's OTTL converters (pkg/ottl/ottlfuncs), same names, arguments and results.
import * as crypto from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { TextDecoder } from 'node:util';
import type { AnyValue, KvList } from '../../pdata/types.js';
import { buildKeyValueParse } from '../../stanza/parsers.js';
import { goRegex } from '../../util/goregex.js';
import { buildTimeParse, formatTime, timeFields, zoneProblem } from './ctime.js';
import { arg, opt, type FunctionDef } from './functions.js';
import { parseCsvRow } from './csv.js';
import { sprintf } from './sprintf.js';
import type { EvalContext, Getter } from './paths.js';
import {
  asString, compare, formatDouble, isList, isMap, isNil, OttlDuration, OttlError, OttlTime, toJson, typeName, type Val,
} from './values.js';

const fail = (fn: string, msg: string): never => {
  throw new OttlError(`${fn}: ${msg}`);
};

function needStr(fn: string, v: Val): string {
  if (typeof v !== 'string') fail(fn, `expected a string, got ${typeName(v)}`);
  return v as string;
}
function needTime(fn: string, v: Val): OttlTime {
  if (!(v instanceof OttlTime)) fail(fn, `expected a time, got ${typeName(v)}`);
  return v as OttlTime;
}
function needDuration(fn: string, v: Val): OttlDuration {
  if (!(v instanceof OttlDuration)) fail(fn, `expected a duration, got ${typeName(v)}`);
  return v as OttlDuration;
}
function needMap(fn: string, v: Val): KvList {
  if (!isMap(v)) fail(fn, `expected a map, got ${typeName(v)}`);
  return v as KvList;
}
function needInt(fn: string, v: Val): bigint {
  if (typeof v !== 'bigint') fail(fn, `expected an int, got ${typeName(v)}`);
  return v as bigint;
}

/** StringLikeGetter: bytes as hex, maps and slices as JSON, numbers and bools formatted. */
export function stringLike(v: Val): string | undefined {
  if (isNil(v)) return undefined;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return asString(v);
}

function intLike(v: Val): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : undefined;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') return /^[+-]?\d+$/.test(v.trim()) ? BigInt(v.trim()) : undefined;
  return undefined;
}

function floatLike(v: Val): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    if (/^nan$/i.test(t)) return NaN;
    return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : undefined;
  }
  return undefined;
}

const one = (name: string, fn: (v: Val, c: EvalContext) => Val, param = 'target'): FunctionDef => ({
  name,
  params: [arg(param, 'any')],
  build: (a) => {
    const g = a.get(param);
    return (c) => fn(g(c), c);
  },
});

const is = (name: string, pred: (v: Val) => boolean): FunctionDef => one(name, (v) => pred(v), 'value');

const hash = (name: string, algo: string): FunctionDef =>
  one(name, (v) => crypto.createHash(algo).update(needStr(name, v)).digest('hex'), 'value');

const timePart = (name: string, pick: (f: ReturnType<typeof timeFields>) => number): FunctionDef =>
  one(name, (v) => {
    const t = needTime(name, v);
    return BigInt(pick(timeFields(t.ns, t.tz)));
  }, 'value');

const durationAs = (name: string, unit: number, asFloat: boolean): FunctionDef =>
  one(name, (v) => {
    const d = needDuration(name, v);
    return asFloat ? Number(d.ns) / unit : d.ns / BigInt(unit);
  }, 'value');

const unixAs = (name: string, unit: bigint): FunctionDef =>
  one(name, (v) => {
    const t = needTime(name, v);
    const q = t.ns / unit;
    return t.ns < 0n && q * unit !== t.ns ? q - 1n : q;
  }, 'value');

/** Go's time.ParseDuration. */
export function parseGoDuration(s: string): bigint | undefined {
  const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const m = /^([+-]?)((?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (s === '0') return 0n;
  if (!m) return undefined;
  let total = 0;
  for (const part of s.replace(/^[+-]/, '').matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * UNITS[part[2]!]!;
  const ns = BigInt(Math.round(total));
  return m[1] === '-' ? -ns : ns;
}

function caseWords(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}
const toSnake = (s: string): string => caseWords(s).map((w) => w.toLowerCase()).join('_');
const toCamel = (s: string): string => caseWords(s).map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('');

function base64Variant(variant: string): { encoding: BufferEncoding; pad: boolean } | undefined {
  switch (variant) {
    case 'base64': return { encoding: 'base64', pad: true };
    case 'base64-raw': return { encoding: 'base64', pad: false };
    case 'base64-url': return { encoding: 'base64url', pad: true };
    case 'base64-raw-url': return { encoding: 'base64url', pad: false };
  }
  return undefined;
}

function decodeBase64(fn: string, s: string, variant: string): string {
  const url = variant.includes('url');
  const raw = variant.includes('raw');
  const re = url ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
  if (!re.test(s) || (raw && s.includes('=')) || (!raw && s.length % 4 !== 0)) fail(fn, `"${s}" is not valid ${variant}`);
  return Buffer.from(s, url ? 'base64url' : 'base64').toString('utf8');
}

/** FNV-1a, 64 bit, as an int64. */
function fnv64a(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s, 'utf8')) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return BigInt.asIntN(64, h);
}

/** Murmur3 x86 32-bit, seed 0. */
function murmur3(s: string): number {
  const data = Buffer.from(s, 'utf8');
  let h = 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const n = data.length & ~3;
  for (let i = 0; i < n; i += 4) {
    let k = data.readUInt32LE(i);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = data.length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= data[n + 2]! << 16;
    if (tail >= 2) k ^= data[n + 1]! << 8;
    k ^= data[n]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hexOf(v: Val): string | undefined {
  const b = Buffer.alloc(8);
  if (typeof v === 'number') b.writeDoubleBE(v);
  else if (typeof v === 'bigint') b.writeBigInt64BE(BigInt.asIntN(64, v));
  else if (typeof v === 'boolean') return v ? '01' : '00';
  else if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
  else if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  else return undefined;
  return b.toString('hex');
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function idFrom(fn: string, v: Val, len: number): Uint8Array {
  if (v instanceof Uint8Array) {
    if (v.length !== len) fail(fn, `expected ${len} bytes, got ${v.length}`);
    return Uint8Array.from(v);
  }
  if (typeof v === 'string') {
    if (!new RegExp(`^[0-9a-fA-F]{${len * 2}}$`).test(v)) fail(fn, `expected ${len * 2} hex characters, got "${v}"`);
    return Uint8Array.from(Buffer.from(v, 'hex'));
  }
  return fail(fn, `expected bytes or a hex string, got ${typeName(v)}`);
}

function sortList(fn: string, l: AnyValue[], desc: boolean): AnyValue[] {
  const kinds = new Set(l.map((x) => typeName(x)));
  let out: AnyValue[];
  if ([...kinds].every((k) => k === 'int')) out = [...l].sort((a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0));
  else if ([...kinds].every((k) => k === 'int' || k === 'double')) out = [...l].sort((a, b) => Number(a) - Number(b));
  else if ([...kinds].every((k) => ['int', 'double', 'string', 'bool'].includes(k)))
    out = [...l].sort((a, b) => (asString(a) < asString(b) ? -1 : asString(a) > asString(b) ? 1 : 0));
  else return fail(fn, 'only slices of ints, doubles, strings and bools can be sorted');
  return desc ? out.reverse() : out;
}

function parseUrl(fn: string, s: string): KvList {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return fail(fn, `"${s}" is not a URL`);
  }
  const out: KvList = { 'url.original': s, 'url.scheme': u.protocol.replace(/:$/, ''), 'url.domain': u.hostname, 'url.path': u.pathname === '/' && !/\/\/[^/]+\//.test(s) ? '' : u.pathname };
  if (u.port) out['url.port'] = BigInt(u.port);
  else {
    const explicit = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(\d+)/i.exec(s);
    if (explicit) out['url.port'] = BigInt(explicit[1]!);
  }
  if (u.search) out['url.query'] = u.search.slice(1);
  if (u.hash) out['url.fragment'] = u.hash.slice(1);
  if (u.username || u.password) {
    out['url.user_info'] = u.password ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : decodeURIComponent(u.username);
    out['url.username'] = decodeURIComponent(u.username);
    if (u.password) out['url.password'] = decodeURIComponent(u.password);
  }
  const ext = /\.([^./]+)$/.exec(u.pathname);
  if (ext) out['url.extension'] = ext[1]!;
  return out;
}

function uuidV7(): string {
  const b = crypto.randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** JSON to pdata as ParseJSON does: every number a double. */
function fromJson(x: unknown): AnyValue {
  if (x === null) return null;
  if (Array.isArray(x)) return x.map(fromJson);
  if (typeof x === 'object') {
    const out: KvList = {};
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) out[k] = fromJson(v);
    return out;
  }
  return x as AnyValue;
}

function quoteKv(s: string, d: string, pd: string): string {
  return s.includes(d) || s.includes(pd) ? `"${s.replace(/"/g, '\\"')}"` : s;
}

function listArg(name: string, a: { list(n: string): Getter[] | undefined }, n: string): Getter[] {
  return a.list(n) ?? [];
}

export const CONVERTERS: FunctionDef[] = [
  one('Base64Decode', (v) => decodeBase64('Base64Decode', needStr('Base64Decode', v), 'base64'), 'value'),
  {
    name: 'Base64Encode',
    params: [arg('value', 'any'), opt('variant', 'string')],
    build: (a) => {
      const g = a.get('value');
      const variant = a.str('variant') ?? 'base64';
      const vv = base64Variant(variant) ?? a.fail('variant', 'must be base64, base64-raw, base64-url or base64-raw-url');
      return (c) => {
        const out = Buffer.from(needStr('Base64Encode', g(c)), 'utf8').toString(vv.encoding);
        return vv.pad ? (vv.encoding === 'base64url' ? out.padEnd(Math.ceil(out.length / 4) * 4, '=') : out) : out.replace(/=+$/, '');
      };
    },
  },
  one('Bool', (v) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return v !== 0n;
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'string') {
      if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
      if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
    }
    return undefined;
  }, 'value'),
  {
    name: 'Decode',
    params: [arg('target', 'any'), arg('encoding', 'string')],
    build: (a) => {
      const g = a.get('target');
      const enc = a.str('encoding')!;
      if (enc.startsWith('base64')) {
        if (!base64Variant(enc)) a.fail('encoding', 'unknown base64 variant');
        return (c) => decodeBase64('Decode', needStr('Decode', g(c)), enc);
      }
      let dec: TextDecoder;
      try {
        dec = new TextDecoder(enc, { fatal: true });
      } catch {
        return a.fail('encoding', `unknown encoding "${enc}"`);
      }
      return (c) => {
        const v = g(c);
        const bytes = v instanceof Uint8Array ? v : Buffer.from(needStr('Decode', v), 'latin1');
        try {
          return dec.decode(bytes);
        } catch {
          return fail('Decode', `the value is not valid ${enc}`);
        }
      };
    },
  },
  {
    name: 'Coalesce',
    params: [arg('values', 'list')],
    build: (a) => {
      const vals = listArg('Coalesce', a, 'values');
      if (vals.length === 0) a.fail('values', 'needs at least one value');
      return (c) => {
        for (const g of vals) {
          const v = g(c);
          if (!isNil(v)) return v;
        }
        return undefined;
      };
    },
  },
  {
    name: 'Concat',
    params: [arg('vals', 'list', ['values']), arg('delimiter', 'string')],
    build: (a) => {
      const vals = listArg('Concat', a, 'vals');
      const d = a.str('delimiter')!;
      return (c) => vals.map((g) => stringLike(g(c)) ?? '<nil>').join(d);
    },
  },
  {
    name: 'ContainsValue',
    params: [arg('target', 'any'), arg('item', 'any')],
    build: (a) => {
      const t = a.get('target');
      const item = a.get('item');
      return (c) => {
        const l = t(c);
        if (!isList(l)) return fail('ContainsValue', `expected a slice, got ${typeName(l)}`);
        const x = item(c);
        return l.some((v) => compare(v, x, '=='));
      };
    },
  },
  {
    name: 'ConvertCase',
    params: [arg('target', 'any'), arg('to_case', 'string')],
    build: (a) => {
      const g = a.get('target');
      const to = a.str('to_case')!;
      const f = { lower: (s: string) => s.toLowerCase(), upper: (s: string) => s.toUpperCase(), snake: toSnake, camel: toCamel }[to];
      if (!f) a.fail('to_case', 'must be lower, upper, snake or camel');
      return (c) => {
        const v = g(c);
        return isNil(v) ? undefined : f!(needStr('ConvertCase', v));
      };
    },
  },
  timePart('Day', (f) => f.day),
  one('Double', (v) => floatLike(v), 'value'),
  one('Duration', (v) => {
    const s = needStr('Duration', v);
    const ns = parseGoDuration(s);
    return ns === undefined ? fail('Duration', `"${s}" is not a duration such as 3s, 1h30m or 250ms`) : new OttlDuration(ns);
  }, 'duration'),
  {
    name: 'ExtractPatterns',
    params: [arg('target', 'any'), arg('pattern', 'string')],
    build: (a) => {
      const g = a.get('target');
      const p = a.str('pattern')!;
      const re = goRegex(p);
      if (typeof re === 'string') return a.fail('pattern', re);
      const names = [...re.names.entries()];
      if (names.length === 0) a.fail('pattern', 'needs at least one named capture group such as (?P<name>…)');
      return (c) => {
        const m = re.exec(needStr('ExtractPatterns', g(c)));
        const out: KvList = {};
        if (m) for (const [name, i] of names) out[name] = m[i] ?? '';
        return out;
      };
    },
  },
  one('FNV', (v) => fnv64a(needStr('FNV', v)), 'value'),
  {
    name: 'Format',
    params: [arg('format', 'any'), arg('vals', 'list', ['format_arguments'])],
    build: (a) => {
      const f = a.get('format');
      const vals = listArg('Format', a, 'vals');
      return (c) => sprintf(needStr('Format', f(c)), vals.map((g) => g(c)));
    },
  },
  {
    name: 'FormatTime',
    params: [arg('time', 'any'), arg('format', 'string')],
    build: (a) => {
      const g = a.get('time');
      const f = a.str('format')!;
      try {
        formatTime(0n, f);
      } catch (e) {
        a.fail('format', (e as Error).message);
      }
      return (c) => {
        const t = needTime('FormatTime', g(c));
        return formatTime(t.ns, f, t.tz);
      };
    },
  },
  {
    name: 'HasPrefix',
    params: [arg('target', 'any', ['value']), arg('prefix', 'any')],
    build: (a) => {
      const g = a.get('target');
      const p = a.get('prefix');
      return (c) => needStr('HasPrefix', g(c)).startsWith(needStr('HasPrefix', p(c)));
    },
  },
  {
    name: 'HasSuffix',
    params: [arg('target', 'any', ['value']), arg('suffix', 'any')],
    build: (a) => {
      const g = a.get('target');
      const p = a.get('suffix');
      return (c) => needStr('HasSuffix', g(c)).endsWith(needStr('HasSuffix', p(c)));
    },
  },
  one('Hex', (v) => hexOf(v), 'value'),
  timePart('Hour', (f) => f.hour),
  durationAs('Hours', 3600e9, true),
  {
    name: 'Index',
    params: [arg('target', 'any'), arg('value', 'any')],
    build: (a) => {
      const t = a.get('target');
      const x = a.get('value');
      return (c) => {
        const v = t(c);
        const w = x(c);
        if (typeof v === 'string') return BigInt(Buffer.from(v).indexOf(Buffer.from(needStr('Index', w))));
        if (isList(v)) return BigInt(v.findIndex((e) => compare(e, w, '==')));
        return fail('Index', `expected a string or a slice, got ${typeName(v)}`);
      };
    },
  },
  one('Int', (v) => intLike(v), 'value'),
  is('IsBool', (v) => typeof v === 'boolean'),
  is('IsDouble', (v) => typeof v === 'number'),
  is('IsEmpty', (v) => {
    if (isNil(v)) return true;
    if (typeof v === 'string' || v instanceof Uint8Array || Array.isArray(v)) return v.length === 0 || (v instanceof Uint8Array && v.every((b) => b === 0));
    if (isMap(v)) return Object.keys(v).length === 0;
    return v === 0n || v === 0 || v === false;
  }),
  {
    name: 'IsInCIDR',
    params: [arg('target', 'any'), arg('networks', 'strings')],
    build: (a) => {
      const g = a.get('target');
      const list = new BlockList();
      for (const n of a.strings('networks')!) {
        const m = /^(.+)\/(\d+)$/.exec(n);
        const ip = m?.[1] ?? '';
        if (!m || !(isIPv4(ip) || isIPv6(ip))) a.fail('networks', `"${n}" is not a CIDR such as 10.0.0.0/8`);
        list.addSubnet(ip, Number(m![2]), isIPv4(ip) ? 'ipv4' : 'ipv6');
      }
      return (c) => {
        const ip = needStr('IsInCIDR', g(c));
        if (isIPv4(ip)) return list.check(ip, 'ipv4');
        if (isIPv6(ip)) return list.check(ip, 'ipv6');
        return fail('IsInCIDR', `"${ip}" is not an IP address`);
      };
    },
  },
  is('IsInt', (v) => typeof v === 'bigint'),
  is('IsList', (v) => Array.isArray(v)),
  is('IsMap', (v) => isMap(v)),
  {
    name: 'IsMatch',
    params: [arg('target', 'any'), arg('pattern', 'string')],
    build: (a) => {
      const g = a.get('target');
      const re = goRegex(a.str('pattern')!);
      if (typeof re === 'string') return a.fail('pattern', re);
      return (c) => {
        const v = g(c);
        return !isNil(v) && re.test(asString(v));
      };
    },
  },
  {
    name: 'IsRootSpan',
    params: [],
    contexts: ['span', 'spanevent'],
    build: () => (c) => {
      const p = c.span!.parentSpanId;
      return !p || p.length === 0 || p.every((b) => b === 0);
    },
  },
  is('IsString', (v) => typeof v === 'string'),
  one('IsValidLuhn', (v) => {
    const s = typeof v === 'bigint' ? String(v) : typeof v === 'string' ? v : fail('IsValidLuhn', `expected a string or an int, got ${typeName(v)}`);
    if (!/^\d+$/.test(s)) return fail('IsValidLuhn', `"${s}" has characters other than digits`);
    return luhn(s);
  }, 'value'),
  one('Keys', (v) => Object.keys(needMap('Keys', v))),
  one('Len', (v) => {
    if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    return fail('Len', `expected a string, slice or map, got ${typeName(v)}`);
  }),
  one('Log', (v) => {
    const n = floatLike(v);
    if (n === undefined) return fail('Log', `expected a number, got ${typeName(v)}`);
    if (!(n > 0)) return fail('Log', `the logarithm of ${formatDouble(n)} is undefined`);
    return Math.log(n);
  }, 'value'),
  hash('MD5', 'md5'),
  durationAs('Microseconds', 1e3, false),
  durationAs('Milliseconds', 1e6, false),
  timePart('Minute', (f) => f.min),
  durationAs('Minutes', 60e9, true),
  timePart('Month', (f) => f.month),
  one('Murmur3Hash', (v) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(murmur3(needStr('Murmur3Hash', v)));
    return b.toString('hex');
  }),
  timePart('Nanosecond', (f) => f.nanos),
  durationAs('Nanoseconds', 1, false),
  { name: 'Now', params: [], build: () => () => new OttlTime(BigInt(Date.now()) * 1_000_000n, 'Local') },
  {
    name: 'ParseCSV',
    params: [arg('target', 'any'), arg('headers', 'any'), opt('delimiter', 'string'), opt('header_delimiter', 'string'), opt('mode', 'string')],
    build: (a) => {
      const t = a.get('target');
      const h = a.get('headers');
      const d = a.str('delimiter') ?? ',';
      const hd = a.str('header_delimiter') ?? d;
      const mode = a.str('mode') ?? 'strict';
      if (d.length !== 1) a.fail('delimiter', 'must be one character');
      if (hd.length !== 1) a.fail('header_delimiter', 'must be one character');
      if (!['strict', 'lazyQuotes', 'ignoreQuotes'].includes(mode)) a.fail('mode', 'must be strict, lazyQuotes or ignoreQuotes');
      return (c) => {
        const headers = parseCsvRow(needStr('ParseCSV', h(c)), hd, 'strict');
        const fields = parseCsvRow(needStr('ParseCSV', t(c)).replace(/^[\r\n]+|[\r\n]+$/g, ''), d, mode as 'strict');
        if (typeof headers === 'string') return fail('ParseCSV', `headers: ${headers}`);
        if (typeof fields === 'string') return fail('ParseCSV', fields);
        if (headers.length !== fields.length) return fail('ParseCSV', `${fields.length} fields but ${headers.length} headers`);
        const out: KvList = {};
        headers.forEach((k, i) => (out[k] = fields[i]!));
        return out;
      };
    },
  },
  {
    name: 'ParseInt',
    params: [arg('target', 'any'), arg('base', 'any')],
    build: (a) => {
      const t = a.get('target');
      const b = a.get('base');
      return (c) => {
        const s = needStr('ParseInt', t(c));
        let base = Number(needInt('ParseInt', b(c)));
        if (base < 0 || base === 1 || base > 36) return fail('ParseInt', `invalid base ${base}`);
        let body = s.replace(/^[+-]/, '');
        const neg = s.startsWith('-');
        if (base === 0) {
          body = body.replace(/_/g, '');
          const pre = /^0([bBoOxX])/.exec(body);
          if (pre) {
            base = { b: 2, o: 8, x: 16 }[pre[1]!.toLowerCase() as 'b' | 'o' | 'x'];
            body = body.slice(2);
          } else if (body.length > 1 && body.startsWith('0')) {
            base = 8;
            body = body.slice(1);
          } else base = 10;
        }
        const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
        if (body === '' || ![...body.toLowerCase()].every((ch) => digits.includes(ch))) return fail('ParseInt', `"${s}" is not an int in base ${base}`);
        let n = 0n;
        for (const ch of body.toLowerCase()) n = n * BigInt(base) + BigInt(digits.indexOf(ch));
        n = neg ? -n : n;
        if (n !== BigInt.asIntN(64, n)) return fail('ParseInt', `"${s}" is out of the int64 range`);
        return n;
      };
    },
  },
  one('ParseJSON', (v) => {
    const s = needStr('ParseJSON', v);
    let x: unknown;
    try {
      x = JSON.parse(s);
    } catch (e) {
      return fail('ParseJSON', `not JSON: ${(e as Error).message}`);
    }
    if (typeof x !== 'object' || x === null) return fail('ParseJSON', 'the JSON is neither an object nor an array');
    return fromJson(x);
  }),
  {
    name: 'ParseKeyValue',
    params: [arg('target', 'any'), opt('delimiter', 'string'), opt('pair_delimiter', 'string')],
    build: (a) => {
      const t = a.get('target');
      const d = a.str('delimiter') || '=';
      const pd = a.str('pair_delimiter') || ' ';
      if (d === pd) a.fail('pair_delimiter', `cannot be equal to the delimiter "${d}"`);
      const parse = buildKeyValueParse(d, pd);
      if (typeof parse === 'string') return a.fail('delimiter', parse);
      return (c) => {
        const s = needStr('ParseKeyValue', t(c));
        if (s === '') return fail('ParseKeyValue', 'cannot parse from an empty target');
        try {
          return parse(s);
        } catch (e) {
          return fail('ParseKeyValue', (e as Error).message.replace(/^key_value_parser: /, ''));
        }
      };
    },
  },
  timePart('Second', (f) => f.sec),
  durationAs('Seconds', 1e9, true),
  hash('SHA1', 'sha1'),
  hash('SHA256', 'sha256'),
  hash('SHA512', 'sha512'),
  {
    name: 'SliceToMap',
    params: [arg('target', 'any'), opt('key_path', 'strings'), opt('value_path', 'strings')],
    build: (a) => {
      const t = a.get('target');
      const kp = a.strings('key_path');
      const vp = a.strings('value_path');
      const walk = (v: AnyValue, path: string[]): AnyValue | undefined => {
        let cur: AnyValue | undefined = v;
        for (const k of path) cur = isMap(cur) ? cur[k] : undefined;
        return cur;
      };
      return (c) => {
        const l = t(c);
        if (!isList(l)) return fail('SliceToMap', `expected a slice, got ${typeName(l)}`);
        const out: KvList = {};
        l.forEach((item, i) => {
          let key = String(i);
          if (kp?.length) {
            const k = walk(item, kp);
            if (typeof k !== 'string') fail('SliceToMap', `item ${i}: key path ${kp.join('.')} is not a string`);
            key = k as string;
          }
          const value = vp?.length ? walk(item, vp) : item;
          if (value === undefined) fail('SliceToMap', `item ${i}: value path ${vp!.join('.')} not found`);
          out[key] = value!;
        });
        return out;
      };
    },
  },
  {
    name: 'Sort',
    params: [arg('target', 'any'), opt('order', 'string')],
    build: (a) => {
      const t = a.get('target');
      const order = a.str('order') ?? 'asc';
      if (order !== 'asc' && order !== 'desc') a.fail('order', 'must be asc or desc');
      return (c) => {
        const l = t(c);
        if (!isList(l)) return fail('Sort', `expected a slice, got ${typeName(l)}`);
        return sortList('Sort', l, order === 'desc');
      };
    },
  },
  one('SpanID', (v) => idFrom('SpanID', v, 8), 'bytes'),
  {
    name: 'Split',
    params: [arg('target', 'any'), arg('delimiter', 'string')],
    build: (a) => {
      const t = a.get('target');
      const d = a.str('delimiter')!;
      return (c) => {
        const v = t(c);
        if (isNil(v)) return undefined;
        const s = needStr('Split', v);
        return d === '' ? [...s] : s.split(d);
      };
    },
  },
  one('String', (v) => {
    if (isNil(v)) return undefined;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    if (isMap(v) || isList(v)) return toJson(v);
    return asString(v);
  }, 'value'),
  {
    name: 'Substring',
    params: [arg('target', 'any'), arg('start', 'any'), arg('length', 'any'), opt('utf8_safe', 'bool')],
    build: (a) => {
      const t = a.get('target');
      const st = a.get('start');
      const ln = a.get('length');
      const safe = a.bool('utf8_safe') ?? false;
      return (c) => {
        const b = Buffer.from(needStr('Substring', t(c)), 'utf8');
        let start = Number(needInt('Substring', st(c)));
        const length = Number(needInt('Substring', ln(c)));
        if (start < 0) return fail('Substring', `invalid start ${start}`);
        if (length <= 0) return fail('Substring', `invalid length ${length}`);
        if (start + length > b.length) return fail('Substring', `start ${start} + length ${length} exceeds the string's ${b.length} bytes`);
        let end = start + length;
        if (safe) {
          while (start < b.length && (b[start]! & 0xc0) === 0x80) start++;
          while (end < b.length && end > start && (b[end]! & 0xc0) === 0x80) end--;
        }
        return b.subarray(start, end).toString('utf8');
      };
    },
  },
  {
    name: 'Time',
    params: [arg('time', 'any', ['target']), arg('format', 'string'), opt('location', 'string'), opt('locale', 'string')],
    build: (a) => {
      const g = a.get('time');
      const tz = a.str('location') || 'UTC';
      const locale = a.str('locale');
      if (locale && !/^en\b/i.test(locale)) a.fail('locale', `only English month and day names are supported, not "${locale}"`);
      const zp = zoneProblem(tz);
      if (zp) a.fail('location', zp);
      const parse = buildTimeParse(a.str('format')!, tz);
      if (typeof parse === 'string') return a.fail('format', parse);
      return (c) => {
        const v = g(c);
        if (isNil(v)) return fail('Time', 'the time is nil');
        try {
          return new OttlTime(parse(needStr('Time', v)), tz);
        } catch (e) {
          return fail('Time', (e as Error).message);
        }
      };
    },
  },
  one('ToCamelCase', (v) => (isNil(v) ? undefined : toCamel(needStr('ToCamelCase', v)))),
  {
    name: 'ToKeyValueString',
    params: [arg('target', 'any'), opt('delimiter', 'string'), opt('pair_delimiter', 'string'), opt('sort_output', 'bool')],
    build: (a) => {
      const t = a.get('target');
      const d = a.str('delimiter') || '=';
      const pd = a.str('pair_delimiter') || ' ';
      const sort = a.bool('sort_output') ?? false;
      if (d === pd) a.fail('pair_delimiter', `cannot be equal to the delimiter "${d}"`);
      return (c) => {
        const m = needMap('ToKeyValueString', t(c));
        const keys = Object.keys(m);
        if (sort) keys.sort();
        return keys.map((k) => `${quoteKv(k, d, pd)}${d}${quoteKv(stringLike(m[k]) ?? '', d, pd)}`).join(pd);
      };
    },
  },
  one('ToLowerCase', (v) => (isNil(v) ? undefined : needStr('ToLowerCase', v).toLowerCase())),
  one('ToSnakeCase', (v) => (isNil(v) ? undefined : toSnake(needStr('ToSnakeCase', v)))),
  one('ToUpperCase', (v) => (isNil(v) ? undefined : needStr('ToUpperCase', v).toUpperCase())),
  one('TraceID', (v) => idFrom('TraceID', v, 16), 'bytes'),
  {
    name: 'Trim',
    params: [arg('target', 'any'), opt('replacement', 'string')],
    build: (a) => {
      const t = a.get('target');
      const cut = [...(a.str('replacement') ?? ' ')];
      return (c) => {
        const s = [...needStr('Trim', t(c))];
        let i = 0;
        let j = s.length;
        while (i < j && cut.includes(s[i]!)) i++;
        while (j > i && cut.includes(s[j - 1]!)) j--;
        return s.slice(i, j).join('');
      };
    },
  },
  {
    name: 'TrimPrefix',
    params: [arg('target', 'any', ['value']), arg('prefix', 'any')],
    build: (a) => {
      const g = a.get('target');
      const p = a.get('prefix');
      return (c) => {
        const s = needStr('TrimPrefix', g(c));
        const x = needStr('TrimPrefix', p(c));
        return s.startsWith(x) ? s.slice(x.length) : s;
      };
    },
  },
  {
    name: 'TrimSuffix',
    params: [arg('target', 'any', ['value']), arg('suffix', 'any')],
    build: (a) => {
      const g = a.get('target');
      const p = a.get('suffix');
      return (c) => {
        const s = needStr('TrimSuffix', g(c));
        const x = needStr('TrimSuffix', p(c));
        return x && s.endsWith(x) ? s.slice(0, s.length - x.length) : s;
      };
    },
  },
  {
    name: 'TruncateTime',
    params: [arg('time', 'any'), arg('duration', 'any')],
    build: (a) => {
      const t = a.get('time');
      const d = a.get('duration');
      // Go truncates since its zero time, January 1 of year 1 (62135596800 s before the epoch).
      const ZERO = 62_135_596_800_000_000_000n;
      return (c) => {
        const tm = needTime('TruncateTime', t(c));
        const dur = needDuration('TruncateTime', d(c)).ns;
        if (dur <= 0n) return tm;
        const abs = tm.ns + ZERO;
        let r = abs % dur;
        if (r < 0n) r += dur;
        return new OttlTime(tm.ns - r, tm.tz);
      };
    },
  },
  {
    name: 'Unix',
    params: [arg('seconds', 'any'), opt('nanoseconds', 'any')],
    build: (a) => {
      const s = a.get('seconds');
      const n = a.has('nanoseconds') ? a.get('nanoseconds') : undefined;
      return (c) => new OttlTime(needInt('Unix', s(c)) * 1_000_000_000n + (n ? needInt('Unix', n(c)) : 0n));
    },
  },
  unixAs('UnixMicro', 1000n),
  unixAs('UnixMilli', 1_000_000n),
  unixAs('UnixNano', 1n),
  unixAs('UnixSeconds', 1_000_000_000n),
  one('URL', (v) => parseUrl('URL', needStr('URL', v)), 'url_string'),
  { name: 'UUID', params: [], build: () => () => crypto.randomUUID() },
  { name: 'UUIDv7', params: [], build: () => () => uuidV7() },
  one('Values', (v) => Object.values(needMap('Values', v))),
  timePart('Weekday', (f) => f.weekday),
  timePart('Year', (f) => f.year),
];
