// The series of a store, one per Prometheus label set, shared by the head and every block, with
// an inverted index (label name -> value -> series) for selection by matchers.
import type { Labels, Matcher } from '../promql/queryable.js';
import { compileMatchers } from '../promql/matchers.js';
import type { HeadSeries } from './head.js';

export type SeriesKind = 'counter' | 'gauge';

export class Series {
  /** Blocks holding samples of this series (the series is forgotten when 0 and no head data). */
  blocks = 0;
  /** Earliest and latest sample time anywhere in the store (for label queries by time). */
  minT = Infinity;
  maxT = -Infinity;
  /** Samples not yet in a block. */
  head?: HeadSeries;
  /** Latest sample accepted for the WAL (committed or in flight): appends must come after it. */
  pendingT = -Infinity;
  pendingV = NaN;
  /** Latest sample in the head or blocks (what pendingT falls back to when a WAL write fails). */
  committedT = -Infinity;
  committedV = NaN;
  /** The append that set pendingT (to undo it when that append's WAL write fails). */
  pendingBy?: object;
  /** Time of the last real (non-stale) sample, and when it arrived (wall clock), for staleness. */
  lastRealT = -Infinity;
  /** Time of the staleness marker the store wrote itself (a late sample may replace that one). */
  autoStaleT = NaN;
  arrivedMs = 0;
  intervalMs = 0;
  constructor(
    readonly ref: number,
    readonly key: string,
    readonly labels: Labels,
    public kind: SeriesKind,
  ) {}
}

/** The identity of a label set: sorted `name\0value\1` pairs (empty values are absent labels). */
export function seriesKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let k = '';
  for (const n of names) {
    const v = labels[n]!;
    if (v !== '') k += `${n}\u0000${v}\u0001`;
  }
  return k;
}

/** A label set without empty values, in name order (what the store keeps and returns). */
export function normalizeLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const n of Object.keys(labels).sort()) if (labels[n] !== '') out[n] = labels[n]!;
  return out;
}

export class SeriesTable {
  private byKey = new Map<string, Series>();
  private byRef = new Map<number, Series>();
  private postings = new Map<string, Map<string, Set<Series>>>();
  private nextRef = 1;

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): Series | undefined {
    return this.byKey.get(key);
  }

  ref(ref: number): Series | undefined {
    return this.byRef.get(ref);
  }

  /** The series of `labels` (normalized by the caller or not), created if new. */
  getOrCreate(labels: Labels, kind: SeriesKind, key = seriesKey(labels)): Series {
    let s = this.byKey.get(key);
    if (s) return s;
    s = new Series(this.nextRef++, key, normalizeLabels(labels), kind);
    this.byKey.set(key, s);
    this.byRef.set(s.ref, s);
    for (const [n, v] of Object.entries(s.labels)) {
      let vals = this.postings.get(n);
      if (!vals) this.postings.set(n, (vals = new Map()));
      let set = vals.get(v);
      if (!set) vals.set(v, (set = new Set()));
      set.add(s);
    }
    return s;
  }

  remove(s: Series): void {
    if (this.byKey.get(s.key) !== s) return;
    this.byKey.delete(s.key);
    this.byRef.delete(s.ref);
    for (const [n, v] of Object.entries(s.labels)) {
      const vals = this.postings.get(n);
      const set = vals?.get(v);
      if (!set) continue;
      set.delete(s);
      if (set.size === 0) vals!.delete(v);
      if (vals!.size === 0) this.postings.delete(n);
    }
  }

  all(): IterableIterator<Series> {
    return this.byKey.values();
  }

  /** Series matching every matcher; a missing label matches as the empty string. */
  select(matchers: readonly Matcher[]): Series[] {
    // The engine's matchers: RE2 regexes, fully anchored, as Prometheus has them.
    const compiled = compileMatchers(matchers).map((m) => ({ name: m.name, matches: m.pred }));
    // Start from the smallest candidate set an equality (or regex) matcher gives.
    let candidates: Iterable<Series> | undefined;
    let best = Infinity;
    for (const m of compiled) {
      if (m.matches('')) continue; // also matches series without the label: no narrowing
      const vals = this.postings.get(m.name);
      if (!vals) return [];
      const sets: Set<Series>[] = [];
      let n = 0;
      for (const [v, set] of vals)
        if (m.matches(v)) {
          sets.push(set);
          n += set.size;
        }
      if (n < best) {
        best = n;
        candidates = sets.length === 1 ? sets[0]! : sets.flatMap((x) => [...x]);
      }
    }
    const out: Series[] = [];
    for (const s of candidates ?? this.byKey.values()) {
      let ok = true;
      for (const m of compiled)
        if (!m.matches(s.labels[m.name] ?? '')) {
          ok = false;
          break;
        }
      if (ok) out.push(s);
    }
    return out;
  }

  labelNames(): string[] {
    return [...this.postings.keys()].sort();
  }
}
