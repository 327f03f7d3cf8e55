// Label sets inside the engine: null-prototype records without empty values (an empty value is
// an absent label in Prometheus), keyed by a string of the sorted pairs.
import type { Labels } from './queryable.js';

export type LabelSet = Record<string, string>;
export const METRIC_NAME = '__name__';
const SEP = '\xff';

export function emptyLabels(): LabelSet {
  return Object.create(null) as LabelSet;
}

/** A private copy of a store's labels, empty values dropped. */
export function fromStore(l: Labels): LabelSet {
  const out = emptyLabels();
  for (const k of Object.keys(l)) {
    const v = l[k]!;
    if (v !== '') out[k] = v;
  }
  return out;
}

export function sortedNames(l: LabelSet): string[] {
  return Object.keys(l).sort(cmpStr);
}

export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Identity of a label set. */
export function labelsKey(l: LabelSet): string {
  let s = '';
  for (const k of sortedNames(l)) s += `${k}${SEP}${l[k]}${SEP}`;
  return s;
}

export function withoutName(l: LabelSet): LabelSet {
  if (!(METRIC_NAME in l)) return l;
  const out = emptyLabels();
  for (const k of Object.keys(l)) if (k !== METRIC_NAME) out[k] = l[k]!;
  return out;
}

/** Only the listed names (those present). */
export function keep(l: LabelSet, names: readonly string[]): LabelSet {
  const out = emptyLabels();
  for (const n of names) {
    const v = l[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** Every label except the listed ones. */
export function drop(l: LabelSet, names: readonly string[]): LabelSet {
  const out = emptyLabels();
  for (const k of Object.keys(l)) if (!names.includes(k)) out[k] = l[k]!;
  return out;
}

/** A copy with one label set (or removed when `value` is empty). */
export function withLabel(l: LabelSet, name: string, value: string): LabelSet {
  const out = emptyLabels();
  for (const k of Object.keys(l)) out[k] = l[k]!;
  if (value === '') delete out[name];
  else out[name] = value;
  return out;
}

/** Key of the listed names' values (`by`, `on`): names sorted and de-duplicated once by the caller. */
export function keyOf(l: LabelSet, sortedNames: readonly string[]): string {
  let s = '';
  for (const n of sortedNames) s += `${l[n] ?? ''}${SEP}`;
  return s;
}

/** Key of every label except the listed ones (`without`, `ignoring`). */
export function keyWithout(l: LabelSet, names: readonly string[]): string {
  let s = '';
  for (const k of sortedNames(l)) if (!names.includes(k)) s += `${k}${SEP}${l[k]}${SEP}`;
  return s;
}

/** A string whose order is Prometheus' labels.Compare order (NUL sorts before any character). */
export function sortKey(l: LabelSet): string {
  let s = '';
  for (const k of sortedNames(l)) s += `${k}\u0000${l[k]}\u0000`;
  return s;
}

export function sortByLabels<T extends { readonly labels: LabelSet }>(items: T[]): T[] {
  const keyed = items.map((x) => ({ x, k: sortKey(x.labels) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((e) => e.x);
}

/** Prometheus' labels.Compare: pairwise by name, then value; shorter first. */
export function compareLabels(a: LabelSet, b: LabelSet): number {
  const an = sortedNames(a);
  const bn = sortedNames(b);
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    if (an[i] !== bn[i]) return an[i]! < bn[i]! ? -1 : 1;
    const av = a[an[i]!]!;
    const bv = b[bn[i]!]!;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return an.length - bn.length;
}

/** `{__name__="x", a="b"}` as Prometheus prints a label set (Go %q quoting). */
export function formatLabels(l: LabelSet): string {
  return `{${sortedNames(l).map((k) => `${k}=${goQuote(l[k]!)}`).join(', ')}}`;
}

/** Go's strconv.Quote for the printable-ASCII-and-UTF-8 case. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Plain-object copy for API output. */
export function toRecord(l: LabelSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of sortedNames(l)) Object.defineProperty(out, k, { value: l[k], enumerable: true, writable: true, configurable: true });
  return out;
}
