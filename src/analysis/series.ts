// Per-series state for the analysis processors: a bounded map whose evictions are counted by
// the caller (series identities come from processorhelper/series.ts attrsKey). Eviction is the
// CLOCK approximation of least-recently-used: a read only sets a flag (no Map reordering on the
// hot path, which cost more than the detector itself at 2000 series); when full, the oldest
// entry that was read since it last came round is given a second chance (moved to the young
// end, flag cleared), and the first one that was not is evicted.

interface Entry<V> {
  v: V;
  used: boolean;
}

export class LruMap<V> {
  private map = new Map<string, Entry<V>>();
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    e.used = true;
    return e.v;
  }

  /** Inserts (or replaces) and returns the number of entries evicted to stay within capacity. */
  set(key: string, v: V): number {
    const e = this.map.get(key);
    if (e) {
      e.v = v;
      e.used = true;
      return 0;
    }
    this.map.set(key, { v, used: false });
    let evicted = 0;
    // Each pass gives every entry at most one second chance, so this ends within 2 x size steps.
    while (this.map.size > this.capacity) {
      const [oldest, entry] = this.map.entries().next().value as [string, Entry<V>];
      this.map.delete(oldest);
      if (entry.used && oldest !== key) {
        entry.used = false;
        this.map.set(oldest, entry);
      } else evicted++;
    }
    return evicted;
  }

  *values(): IterableIterator<V> {
    for (const e of this.map.values()) yield e.v;
  }
}
