// Per-series state for the analysis processors: identity (metric name + point attributes +
// resource attributes) and a bounded LRU map whose evictions are counted by the caller.
import type { AnyValue, Attributes } from '../pdata/types.js';

function valueKey(v: AnyValue): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(valueKey).join(',')}]`;
  return attrsKey(v);
}

/** Order-independent text of an attribute map. */
export function attrsKey(a: Attributes, skip?: string): string {
  const keys = Object.keys(a).sort();
  let out = '{';
  for (const k of keys) if (k !== skip) out += `${JSON.stringify(k)}:${valueKey(a[k]!)},`;
  return out + '}';
}

/** A Map with a size cap: reads move an entry to the young end; inserts evict the oldest. */
export class LruMap<V> {
  private map = new Map<string, V>();
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Inserts and returns the number of entries evicted to stay within capacity. */
  set(key: string, v: V): number {
    this.map.delete(key);
    this.map.set(key, v);
    let evicted = 0;
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      evicted++;
    }
    return evicted;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}
