// The engine's entry points: instant and range queries over a Queryable, as raw numbers (for
// the alerts connector) or in the Prometheus HTTP API's JSON shape (for the console).
import type { Expr } from './ast.js';
import { TYPE_NAMES } from './ast.js';
import { QueryError } from './errors.js';
import { Evaluator } from './evaluator.js';
import { formatFloatF, formatValue } from './format.js';
import { sortByLabels, toRecord } from './labels.js';
import { parseExpr, typeOf } from './parser.js';
import type { Queryable } from './queryable.js';
import type { Grid, RawSeries, StepSeries } from './values.js';

export interface QueryOptions {
  /** How far back an instant selector looks for a sample (Prometheus: 5m). */
  readonly lookbackDeltaMs?: number;
  /** Wall-clock budget of one query (Prometheus: 2m). */
  readonly timeoutMs?: number;
  /**
   * Step cells (series × steps) and raw samples one query may hold (Prometheus' max_samples,
   * 50M there; smaller here, an agent shares the host).
   */
  readonly maxSamples?: number;
  /** Step of subqueries written without one, `x[5m:]` (Prometheus: the evaluation interval, 1m). */
  readonly defaultSubqueryStepMs?: number;
  /** Most points a range query may return per series (Prometheus' API: 11 000). */
  readonly maxPointsPerSeries?: number;
  readonly signal?: AbortSignal;
}

export const QUERY_DEFAULTS = {
  lookbackDeltaMs: 300_000,
  timeoutMs: 120_000,
  maxSamples: 5_000_000,
  defaultSubqueryStepMs: 60_000,
  maxPointsPerSeries: 11_000,
} as const;

/** One series of a result, labels as a plain object, values as numbers. */
export interface SampleOut {
  readonly labels: Record<string, string>;
  /** ms */
  readonly t: number;
  readonly value: number;
}

export interface SeriesOut {
  readonly labels: Record<string, string>;
  /** ms, ascending */
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** A query result as numbers (what the alerts connector uses). */
export type QueryResult =
  | { readonly resultType: 'vector'; readonly result: SampleOut[] }
  | { readonly resultType: 'matrix'; readonly result: SeriesOut[] }
  | { readonly resultType: 'scalar'; readonly t: number; readonly value: number }
  | { readonly resultType: 'string'; readonly t: number; readonly value: string };

/** `[seconds, "value"]` as the Prometheus HTTP API writes a point. */
export type ApiPoint = [number, string];

/** The `data` member of a Prometheus HTTP API query response. */
export type QueryData =
  | { resultType: 'vector'; result: { metric: Record<string, string>; value: ApiPoint }[] }
  | { resultType: 'matrix'; result: { metric: Record<string, string>; values: ApiPoint[] }[] }
  | { resultType: 'scalar'; result: ApiPoint }
  | { resultType: 'string'; result: ApiPoint };

function resolve(opts: QueryOptions): Required<Omit<QueryOptions, 'signal'>> & { signal: AbortSignal | undefined } {
  return {
    lookbackDeltaMs: opts.lookbackDeltaMs ?? QUERY_DEFAULTS.lookbackDeltaMs,
    timeoutMs: opts.timeoutMs ?? QUERY_DEFAULTS.timeoutMs,
    maxSamples: opts.maxSamples ?? QUERY_DEFAULTS.maxSamples,
    defaultSubqueryStepMs: opts.defaultSubqueryStepMs ?? QUERY_DEFAULTS.defaultSubqueryStepMs,
    maxPointsPerSeries: opts.maxPointsPerSeries ?? QUERY_DEFAULTS.maxPointsPerSeries,
    signal: opts.signal,
  };
}

function evaluator(q: Queryable, start: number, end: number, o: ReturnType<typeof resolve>): Evaluator {
  return new Evaluator(q, start, end, {
    lookbackDeltaMs: o.lookbackDeltaMs,
    defaultSubqueryStepMs: o.defaultSubqueryStepMs,
    maxSamples: o.maxSamples,
    deadline: performance.now() + o.timeoutMs,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
  });
}

const asExpr = (expr: string | Expr): Expr => (typeof expr === 'string' ? parseExpr(expr) : expr);

/** Evaluates `expr` at one instant. Throws ParseError or QueryError. */
export async function evalInstant(q: Queryable, expr: string | Expr, timeMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
  const e = asExpr(expr);
  if (!Number.isFinite(timeMs)) throw new QueryError('invalid evaluation time', 'bad_data');
  const o = resolve(opts);
  const ev = evaluator(q, timeMs, timeMs, o);
  const g: Grid = { start: timeMs, step: 1, n: 1 };
  await ev.prefetch(e, g, 0);
  const v = ev.eval(e, g);
  switch (v.kind) {
    case 'scalar':
      return { resultType: 'scalar', t: timeMs, value: v.v[0]! };
    case 'string':
      return { resultType: 'string', t: timeMs, value: v.s };
    case 'vector':
      return { resultType: 'vector', result: v.series.filter((s) => s.p[0]).map((s) => ({ labels: toRecord(s.labels), t: timeMs, value: s.v[0]! })) };
    case 'matrix':
      return { resultType: 'matrix', result: sortSeries(v.series).map((s) => ({ labels: toRecord(s.labels), t: s.t, v: s.v })) };
  }
}

/** Evaluates `expr` at start, start+step, ... up to end (ms). Throws ParseError or QueryError. */
export async function evalRange(q: Queryable, expr: string | Expr, startMs: number, endMs: number, stepMs: number, opts: QueryOptions = {}): Promise<QueryResult & { resultType: 'matrix' }> {
  const e = asExpr(expr);
  const o = resolve(opts);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) throw new QueryError('invalid start or end time', 'bad_data');
  if (endMs < startMs) throw new QueryError('end timestamp must not be before start time', 'bad_data');
  if (!(stepMs > 0)) throw new QueryError('zero or negative query resolution step widths are not accepted. Try a positive integer', 'bad_data');
  const n = Math.floor((endMs - startMs) / stepMs) + 1;
  if (n > o.maxPointsPerSeries) throw new QueryError(`exceeded maximum resolution of ${o.maxPointsPerSeries} points per timeseries. Try decreasing the query resolution (?step=XX)`, 'bad_data');
  const t = typeOf(e);
  if (t !== 'scalar' && t !== 'vector') throw new QueryError(`invalid expression type "${TYPE_NAMES[t]}" for range query, must be Scalar or instant Vector`, 'bad_data');
  const ev = evaluator(q, startMs, endMs, o);
  const g: Grid = { start: startMs, step: stepMs, n };
  await ev.prefetch(e, g, stepMs);
  const v = ev.eval(e, g);
  const times = (i: number): number => startMs + i * stepMs;
  if (v.kind === 'scalar') {
    return { resultType: 'matrix', result: [{ labels: {}, t: Float64Array.from({ length: n }, (_, i) => times(i)), v: Float64Array.from(v.v) }] };
  }
  const series = (v as { series: StepSeries[] }).series.filter((s) => s.count > 0);
  const out: SeriesOut[] = sortSeries(series).map((s) => {
    const ts = new Float64Array(s.count);
    const vs = new Float64Array(s.count);
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (!s.p[i]) continue;
      ts[w] = times(i);
      vs[w++] = s.v[i]!;
    }
    return { labels: toRecord(s.labels), t: ts, v: vs };
  });
  return { resultType: 'matrix', result: out };
}

function sortSeries<T extends StepSeries | RawSeries>(series: T[]): T[] {
  return sortByLabels(series);
}

const point = (tMs: number, v: number): ApiPoint => [tMs / 1000, formatValue(v)];

/** A result in the Prometheus HTTP API's `data` shape (values as Prometheus formats them). */
export function toApiData(r: QueryResult): QueryData {
  switch (r.resultType) {
    case 'scalar':
      return { resultType: 'scalar', result: [r.t / 1000, formatFloatF(r.value)] };
    case 'string':
      return { resultType: 'string', result: [r.t / 1000, r.value] };
    case 'vector':
      return { resultType: 'vector', result: r.result.map((s) => ({ metric: s.labels, value: point(s.t, s.value) })) };
    case 'matrix':
      return { resultType: 'matrix', result: r.result.map((s) => ({ metric: s.labels, values: Array.from(s.t, (t, i) => point(t, s.v[i]!)) })) };
  }
}

/** `GET /api/v1/query`'s data. */
export async function instantQuery(q: Queryable, expr: string | Expr, timeMs: number, opts: QueryOptions = {}): Promise<QueryData> {
  return toApiData(await evalInstant(q, expr, timeMs, opts));
}

/** `GET /api/v1/query_range`'s data. */
export async function rangeQuery(q: Queryable, expr: string | Expr, startMs: number, endMs: number, stepMs: number, opts: QueryOptions = {}): Promise<QueryData> {
  return toApiData(await evalRange(q, expr, startMs, endMs, stepMs, opts));
}
