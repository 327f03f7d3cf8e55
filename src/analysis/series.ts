// Per-series state for the analysis processors: a bounded LRU map whose evictions are counted
// by the caller (series identities come from processorhelper/series.ts attrsKey).

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
