// Field paths as the Collector's stanza writes them: `body`, `body.a.b`, `attributes.x`,
// `attributes["key.with.dots"]`, `resource.x`.
import type { AnyValue, Attributes, KvList } from '../pdata/types.js';
import type { Entry } from './entry.js';

export interface Field {
  root: 'body' | 'attributes' | 'resource';
  keys: string[];
  text: string;
}

export function parseField(text: string): Field | string {
  const t = text.trim();
  const m = /^(body|attributes|resource)/.exec(t);
  if (!m) return `field "${text}" must start with body, attributes or resource`;
  const root = m[1] as Field['root'];
  const keys: string[] = [];
  let i = m[0].length;
  while (i < t.length) {
    if (t[i] === '.') {
      const mm = /^\.([^.[\]]+)/.exec(t.slice(i));
      if (!mm) return `field "${text}": expected a key after "."`;
      keys.push(mm[1]!);
      i += mm[0].length;
    } else if (t[i] === '[') {
      const mm = /^\[\s*(?:"([^"]*)"|'([^']*)')\s*\]/.exec(t.slice(i));
      if (!mm) return `field "${text}": expected ["key"]`;
      keys.push(mm[1] ?? mm[2]!);
      i += mm[0].length;
    } else return `field "${text}": unexpected "${t[i]}"`;
  }
  return { root, keys, text: t };
}

function isMap(v: unknown): v is KvList {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function rootMap(e: Entry, f: Field, create: boolean): KvList | undefined {
  if (f.root === 'attributes') return e.record.attributes;
  if (f.root === 'resource') return e.resource ?? (create ? (e.resource = {}) : undefined);
  if (!isMap(e.record.body)) {
    if (!create) return undefined;
    e.record.body = {};
  }
  return e.record.body as KvList;
}

export function getField(e: Entry, f: Field): AnyValue | undefined {
  if (f.root === 'body' && f.keys.length === 0) return e.record.body;
  let cur: AnyValue | undefined = rootMap(e, f, false);
  if (f.keys.length === 0) return cur;
  for (const k of f.keys) {
    if (!isMap(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

export function setField(e: Entry, f: Field, v: AnyValue): void {
  if (f.root === 'body' && f.keys.length === 0) {
    e.record.body = v;
    return;
  }
  if (f.keys.length === 0) {
    // Setting a whole attribute/resource map: merge a map, refuse a scalar.
    if (!isMap(v)) throw new Error(`cannot set ${f.text} to a non-map value`);
    Object.assign(rootMap(e, f, true)!, v);
    return;
  }
  let cur = rootMap(e, f, true)!;
  for (let i = 0; i < f.keys.length - 1; i++) {
    const k = f.keys[i]!;
    let nxt = cur[k];
    if (!isMap(nxt)) cur[k] = nxt = {};
    cur = nxt as KvList;
  }
  cur[f.keys[f.keys.length - 1]!] = v;
}

export function deleteField(e: Entry, f: Field): AnyValue | undefined {
  if (f.root === 'body' && f.keys.length === 0) {
    const v = e.record.body;
    e.record.body = null;
    return v;
  }
  const m = rootMap(e, f, false);
  if (!m) return undefined;
  if (f.keys.length === 0) {
    const copy: Attributes = { ...m };
    for (const k of Object.keys(m)) delete m[k];
    return copy;
  }
  let cur: KvList = m;
  for (let i = 0; i < f.keys.length - 1; i++) {
    const nxt = cur[f.keys[i]!];
    if (!isMap(nxt)) return undefined;
    cur = nxt;
  }
  const last = f.keys[f.keys.length - 1]!;
  const v = cur[last];
  delete cur[last];
  return v;
}
