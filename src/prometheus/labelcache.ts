// Remembering the Prometheus labels of series seen before, by where they came from in OTLP.
// The path to an entry is the sequence of strings that decide a sample's labels (job, instance,
// resource attributes when they are labels, scope, sample name, point attributes, each key and
// value one step), walked through nested maps: no key string is built per point, and nothing is
// allocated on a hit. Sections are separated by a symbol, which no attribute can be.
import type { AnyValue, Attributes } from '../pdata/types.js';
import type { Label } from './model.js';

export interface CachedLabels {
  labels: Label[];
  key: string;
}

export class CacheNode {
  kids?: Map<string | symbol, CacheNode>;
  entry?: CachedLabels;

  step(s: string | symbol): CacheNode {
    let m = this.kids;
    if (!m) this.kids = m = new Map();
    let n = m.get(s);
    if (!n) m.set(s, (n = new CacheNode()));
    return n;
  }

  /** The node under this one for every key and value of `attrs`, in their order. */
  walk(attrs: Attributes | undefined, str: (v: AnyValue) => string): CacheNode {
    let n: CacheNode = this;
    if (attrs)
      for (const k in attrs) {
        const v = attrs[k] as AnyValue;
        n = n.step(k).step(typeof v === 'string' ? v : str(v));
      }
    return n.step(END);
  }
}

/** Ends a section of the path (resource, scope, point attributes). */
export const END = Symbol('end');

/** See TranslateOptions.labelCache. Its owner bounds it (`size`, `clear`). */
export class LabelCache {
  root = new CacheNode();
  /** Entries held. */
  size = 0;

  clear(): void {
    this.root = new CacheNode();
    this.size = 0;
  }
}
