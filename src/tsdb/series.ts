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
    readonly hash: number,
    readonly labels: Labels,
    public kind: SeriesKind,
  ) {}
}

/**
 * FNV-1a of a label set (names in order, empty values skipped: an empty label is no label).
 * The hot path of every append: no key string is built, so nothing is allocated per sample.
 * Label sets usually come with their names in order (the Prometheus translation sorts them);
 * others are sorted first.
 */
export function labelsHash(labels: Labels): number {
  let h = 0x811c9dc5;
  let prev = '';
  for (const n in labels) {
    if (n < prev) return labelsHash(normalizeLabels(labels));
    prev = n;
    const v = labels[n]!;
    if (v === '') continue;
    for (let i = 0; i < n.length; i++) h = Math.imul(h ^ n.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xfe, 0x01000193);
  }
  return h >>> 0;
}

/** Whether `a` (normalized, as the store keeps them) and `b` are the same label set. */
function sameLabels(a: Labels, b: Labels): boolean {
  let n = 0;
  for (const k in b) {
    const v = b[k]!;
    if (v === '') continue;
    if (a[k] !== v) return false;
    n++;
  }
  let m = 0;
  for (const _ in a) m++;
  return n === m;
}

/** A label set without empty values, in name order (what the store keeps and returns). */
export function normalizeLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const n of Object.keys(labels).sort()) if (labels[n] !== '') out[n] = labels[n]!;
  return out;
}

export class SeriesTable {
  private byHash = new Map<number, Series | Series[]>();
  private byRef = new Map<number, Series>();
  private postings = new Map<string, Map<string, Set<Series>>>();
  private nextRef = 1;

  get size(): number {
    return this.byRef.size;
  }

  /** The series of a label set, if known. */
  lookup(labels: Labels, hash = labelsHash(labels)): Series | undefined {
    const c = this.byHash.get(hash);
    if (!c) return undefined;
    if (!Array.isArray(c)) return sameLabels(c.labels, labels) ? c : undefined;
    return c.find((s) => sameLabels(s.labels, labels));
  }

  ref(ref: number): Series | undefined {
    return this.byRef.get(ref);
  }

  /** The series of `labels`, created if new. */
  getOrCreate(labels: Labels, kind: SeriesKind, hash = labelsHash(labels)): Series {
    const known = this.lookup(labels, hash);
    if (known) return known;
    const s = new Series(this.nextRef++, hash, normalizeLabels(labels), kind);
    const c = this.byHash.get(hash);
    this.byHash.set(hash, c === undefined ? s : Array.isArray(c) ? [...c, s] : [c, s]);
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
    if (this.byRef.get(s.ref) !== s) return;
    this.byRef.delete(s.ref);
    const c = this.byHash.get(s.hash);
    if (Array.isArray(c)) {
      const rest = c.filter((x) => x !== s);
      this.byHash.set(s.hash, rest.length === 1 ? rest[0]! : rest);
    } else this.byHash.delete(s.hash);
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
    return this.byRef.values();
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
    for (const s of candidates ?? this.byRef.values()) {
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
