// Consistent hashing with virtual nodes, as the Collector's loadbalancing exporter does it: each
// backend owns many points on a 32-bit ring, a key goes to the owner of the first point at or
// after its hash. A backend leaving moves only the keys it owned (to the next points' owners);
// one coming back takes exactly those keys again.

/** Points per backend: enough that three backends share within a few percent of a third. */
export const VIRTUAL_NODES = 150;

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so nearby strings spread. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class HashRing {
  private readonly points: Uint32Array;
  private readonly owners: string[];
  readonly endpoints: readonly string[];

  constructor(endpoints: readonly string[], vnodes = VIRTUAL_NODES) {
    this.endpoints = [...new Set(endpoints)].sort();
    const all: [number, string][] = [];
    for (const e of this.endpoints) for (let i = 0; i < vnodes; i++) all.push([hash32(`${e}#${i}`), e]);
    // Ties (rare) go to the smaller endpoint name, so every process builds the same ring.
    all.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    this.points = Uint32Array.from(all.map((p) => p[0]));
    this.owners = all.map((p) => p[1]);
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** The backend for a key; undefined when the ring is empty. */
  owner(key: string): string | undefined {
    const n = this.points.length;
    if (n === 0) return undefined;
    const h = hash32(key);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === n ? 0 : lo];
  }
}
