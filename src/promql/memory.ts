// An in-memory Queryable: the test runner's store and the alerts connector's window of recent
// series. Bounded by series count (new series are refused when full, and counted) and by time
// (samples older than `retentionMs` behind the newest are dropped). Samples live in growable
// Float64Arrays per series; select() hands out subarray views, never copies, and buffers are
// never rewritten in place, so a view stays a consistent snapshot while appends continue.
import type { Labels, Matcher, Queryable, SelectHints, SeriesSamples } from './queryable.js';
import { compileMatchers, matchesAll } from './matchers.js';
import { fromStore, labelsKey, METRIC_NAME, type LabelSet } from './labels.js';

export interface MemoryQueryableOptions {
  /** Series beyond this are refused (default 100 000). */
  readonly maxSeries?: number;
  /** Samples older than the newest appended timestamp minus this are dropped (default: kept). */
  readonly retentionMs?: number;
}

export type AppendResult = 'ok' | 'duplicate' | 'out_of_order' | 'series_limit';

/** An opaque handle to one series of a MemoryQueryable. */
export interface SeriesRef {
  readonly labels: Labels;
}

class MemSeries {
  t: Float64Array;
  v: Float64Array;
  head = 0;
  len = 0;
  constructor(
    readonly labels: LabelSet,
    readonly key: string,
  ) {
    this.t = new Float64Array(16);
    this.v = new Float64Array(16);
  }

  get count(): number {
    return this.len - this.head;
  }

  get lastT(): number {
    return this.len > this.head ? this.t[this.len - 1]! : -Infinity;
  }

  push(t: number, v: number): void {
    if (this.len === this.t.length) this.realloc(Math.max(16, this.count * 2));
    this.t[this.len] = t;
    this.v[this.len] = v;
    this.len++;
  }

  /** Moves live samples to fresh buffers (old views keep the old ones). */
  private realloc(cap: number): void {
    const t = new Float64Array(cap);
    const v = new Float64Array(cap);
    t.set(this.t.subarray(this.head, this.len));
    v.set(this.v.subarray(this.head, this.len));
    this.len -= this.head;
    this.head = 0;
    this.t = t;
    this.v = v;
  }

  /** Drops samples before `t`; returns how many. */
  dropBefore(t: number): number {
    const i = lowerBound(this.t, this.head, this.len, t);
    const n = i - this.head;
    this.head = i;
    if (this.head > 1024 && this.head * 2 > this.len) this.realloc(Math.max(16, this.count * 2));
    return n;
  }
}

/** First index in [lo, hi) with a[i] >= x. */
export function lowerBound(a: Float64Array | readonly number[], lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MemoryQueryable implements Queryable {
  private readonly byKey = new Map<string, MemSeries>();
  private readonly byName = new Map<string, Set<MemSeries>>();
  private readonly maxSeries: number;
  private readonly retentionMs: number;
  private maxT = -Infinity;
  private sinceSweep = 0;
  /** Appends refused, by reason. */
  readonly refused = { duplicate: 0, out_of_order: 0, series_limit: 0 };
  /** Samples dropped by retention or dropBefore. */
  dropped = 0;

  constructor(opts: MemoryQueryableOptions = {}) {
    this.maxSeries = opts.maxSeries ?? 100_000;
    this.retentionMs = opts.retentionMs ?? Infinity;
  }

  get seriesCount(): number {
    return this.byKey.size;
  }

  get sampleCount(): number {
    let n = 0;
    for (const s of this.byKey.values()) n += s.count;
    return n;
  }

  /**
   * Appends one sample. Timestamps per series must increase; the same timestamp again is
   * accepted only with the identical value (bit-for-bit, so a repeated staleness marker is too).
   */
  append(labels: Labels, tMs: number, value: number): AppendResult {
    const s = this.ref(labels);
    if (!s) {
      this.refused.series_limit++;
      return 'series_limit';
    }
    return this.appendRef(s, tMs, value);
  }

  /**
   * The series of a label set, created if needed (undefined when the series limit is reached):
   * hold on to it and append with appendRef, without working out the labels again per sample.
   * A handle whose series was dropped (retention, dropSeries) is recreated by the next ref().
   */
  ref(labels: Labels): SeriesRef | undefined {
    const ls = fromStore(labels);
    const key = labelsKey(ls);
    let s = this.byKey.get(key);
    if (!s) {
      if (this.byKey.size >= this.maxSeries) return undefined;
      s = new MemSeries(Object.freeze(ls) as LabelSet, key);
      this.byKey.set(key, s);
      const name = ls[METRIC_NAME] ?? '';
      let set = this.byName.get(name);
      if (!set) this.byName.set(name, (set = new Set()));
      set.add(s);
    }
    return s;
  }

  appendRef(ref: SeriesRef, tMs: number, value: number): AppendResult {
    const s = ref as MemSeries;
    if (this.byKey.get(s.key) !== s) {
      // Dropped since the handle was made: come back under the same labels.
      const again = this.ref(s.labels);
      if (!again) {
        this.refused.series_limit++;
        return 'series_limit';
      }
      return this.appendRef(again, tMs, value);
    }
    const last = s.lastT;
    if (tMs < last) {
      this.refused.out_of_order++;
      return 'out_of_order';
    }
    if (tMs === last) {
      const prev = s.v[s.len - 1]!;
      if (Object.is(prev, value) || sameBits(prev, value)) return 'ok';
      this.refused.duplicate++;
      return 'duplicate';
    }
    s.push(tMs, value);
    if (tMs > this.maxT) this.maxT = tMs;
    if (this.retentionMs !== Infinity && ++this.sinceSweep >= 4096) {
      this.sinceSweep = 0;
      this.dropBefore(this.maxT - this.retentionMs);
    }
    return 'ok';
  }

  /** Drops every sample before `tMs` and series left empty; returns the samples dropped. */
  dropBefore(tMs: number): number {
    let n = 0;
    for (const s of this.byKey.values()) {
      n += s.dropBefore(tMs);
      if (s.count === 0) this.removeSeries(s);
    }
    this.dropped += n;
    return n;
  }

  /** Drops whole series matching the matchers (all series when none are given). */
  dropSeries(matchers: readonly Matcher[] = []): number {
    const ms = compileMatchers(matchers);
    let n = 0;
    for (const s of [...this.byKey.values()]) {
      if (matchesAll(s.labels, ms)) {
        this.removeSeries(s);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.byKey.clear();
    this.byName.clear();
    this.maxT = -Infinity;
  }

  private removeSeries(s: MemSeries): void {
    this.byKey.delete(s.key);
    const name = s.labels[METRIC_NAME] ?? '';
    const set = this.byName.get(name);
    set?.delete(s);
    if (set && set.size === 0) this.byName.delete(name);
  }

  private candidates(matchers: readonly Matcher[]): Iterable<MemSeries> {
    const eq = matchers.find((m) => m.name === METRIC_NAME && m.type === '=');
    if (eq) return this.byName.get(eq.value) ?? [];
    return this.byKey.values();
  }

  private *matching(hints: SelectHints, matchers: readonly Matcher[]): Generator<{ s: MemSeries; lo: number; hi: number }> {
    const ms = compileMatchers(matchers);
    for (const s of this.candidates(matchers)) {
      if (!matchesAll(s.labels, ms)) continue;
      const lo = lowerBound(s.t, s.head, s.len, hints.minT);
      const hi = lowerBound(s.t, lo, s.len, hints.maxT + 1);
      if (hi > lo) yield { s, lo, hi };
    }
  }

  async select(hints: SelectHints, matchers: readonly Matcher[]): Promise<readonly SeriesSamples[]> {
    const out: SeriesSamples[] = [];
    for (const { s, lo, hi } of this.matching(hints, matchers)) out.push({ labels: s.labels, t: s.t.subarray(lo, hi), v: s.v.subarray(lo, hi) });
    return out;
  }

  async labelNames(hints: SelectHints, matchers: readonly Matcher[] = []): Promise<readonly string[]> {
    const names = new Set<string>();
    for (const { s } of this.matching(hints, matchers)) for (const k of Object.keys(s.labels)) names.add(k);
    return [...names].sort();
  }

  async labelValues(name: string, hints: SelectHints, matchers: readonly Matcher[] = []): Promise<readonly string[]> {
    const values = new Set<string>();
    for (const { s } of this.matching(hints, matchers)) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }
}

const bitsA = new DataView(new ArrayBuffer(8));
const bitsB = new DataView(new ArrayBuffer(8));
function sameBits(a: number, b: number): boolean {
  bitsA.setFloat64(0, a);
  bitsB.setFloat64(0, b);
  return bitsA.getBigUint64(0) === bitsB.getBigUint64(0);
}
