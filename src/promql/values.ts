// Values inside the evaluator. A range query is evaluated for all steps at once: an instant
// vector is a list of series, each a Float64Array of one value per step and a presence mask
// (labels are worked out once per series, not once per step); an instant query is the same
// with one step.
import { QueryError } from './errors.js';
import { labelsKey, type LabelSet } from './labels.js';

/** Evaluation times: start + i*step for i in [0, n). */
export interface Grid {
  readonly start: number;
  readonly step: number;
  readonly n: number;
}

export function gridEnd(g: Grid): number {
  return g.start + (g.n - 1) * g.step;
}

export interface StepSeries {
  readonly labels: LabelSet;
  readonly v: Float64Array;
  readonly p: Uint8Array;
  /** Steps present. */
  count: number;
}

/** Samples of one series as stored (or as a subquery produced them), sorted by time. */
export interface RawSeries {
  readonly labels: LabelSet;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

export type Value =
  | { readonly kind: 'scalar'; readonly v: Float64Array }
  | { readonly kind: 'vector'; readonly series: StepSeries[] }
  | { readonly kind: 'string'; readonly s: string }
  | { readonly kind: 'matrix'; readonly series: RawSeries[] };

export type VectorValue = Extract<Value, { kind: 'vector' }>;
export type ScalarValue = Extract<Value, { kind: 'scalar' }>;

export function newSeries(labels: LabelSet, n: number): StepSeries {
  return { labels, v: new Float64Array(n), p: new Uint8Array(n), count: 0 };
}

export function duplicateLabelset(): QueryError {
  return new QueryError('vector cannot contain metrics with the same labelset');
}

/**
 * Output series keyed by label set. Two inputs that map to the same labels merge into one
 * series (they may fill different steps, as Prometheus' range evaluation merges them); two
 * values for the same labels at the same step are Prometheus' duplicate-labelset error.
 */
export class Collector {
  private readonly byKey = new Map<string, StepSeries>();
  readonly out: StepSeries[] = [];
  constructor(private readonly n: number) {}

  series(labels: LabelSet, key = labelsKey(labels)): StepSeries {
    let s = this.byKey.get(key);
    if (!s) {
      s = newSeries(labels, this.n);
      this.byKey.set(key, s);
      this.out.push(s);
    }
    return s;
  }

  static set(s: StepSeries, i: number, v: number): void {
    if (s.p[i]) throw duplicateLabelset();
    s.p[i] = 1;
    s.v[i] = v;
    s.count++;
  }

  result(): StepSeries[] {
    return this.out.filter((s) => s.count > 0);
  }
}

/**
 * Prometheus' whole-result check (unary minus, functions over range vectors): distinct inputs
 * whose outputs end up with the same labels are an error even when they never share a step.
 */
export function assertUniqueLabels(series: readonly { readonly labels: LabelSet }[]): void {
  if (series.length < 2) return;
  const seen = new Set<string>();
  for (const s of series) {
    const k = labelsKey(s.labels);
    if (seen.has(k)) throw duplicateLabelset();
    seen.add(k);
  }
}
