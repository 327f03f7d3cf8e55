// Evaluates a parsed expression over a grid of steps. Every selector's samples are fetched
// once, up front (the store is async; evaluation then runs without awaiting); a range query is
// evaluated for all steps in one pass per node, never re-fetching per step.
import type { AggregateExpr, BinaryExpr, Call, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from './ast.js';
import { unwrapParens } from './ast.js';
import { aggregate } from './aggregate.js';
import { scalarScalar, setOperation, vectorScalar, vectorVector } from './binops.js';
import { QueryError, tooManySamples } from './errors.js';
import { parseGoFloat } from './format.js';
import { emptyLabels, fromStore, sortByLabels, labelsKey, METRIC_NAME, withLabel, withoutName, type LabelSet } from './labels.js';
import { bucketQuantile, DATE_FUNCTIONS, SIMPLE_FUNCTIONS } from './mathfns.js';
import { isStaleNaN, type Matcher, type Queryable, type SelectHints } from './queryable.js';
import { RANGE_FUNCTIONS, type WindowCtx } from './rangefns.js';
import { compileRegex, type CompiledRegex } from './regex.js';
import { assertUniqueLabels, Collector, gridEnd, newSeries, type Grid, type RawSeries, type StepSeries, type Value, type VectorValue } from './values.js';

export interface EvalLimits {
  readonly lookbackDeltaMs: number;
  readonly defaultSubqueryStepMs: number;
  /** Step cells (series × steps) and raw samples a query may hold at once. */
  readonly maxSamples: number;
  /** performance.now() deadline. */
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

interface Fetched {
  readonly labels: LabelSet;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Without staleness markers (what range selectors see), made on first use. */
  clean?: { t: Float64Array; v: Float64Array };
}

interface RangeSource {
  readonly series: RawSeries[];
  readonly rangeMs: number;
  readonly offsetMs: number;
  readonly atMs: number | undefined;
}

const toF64 = (a: Float64Array | readonly number[]): Float64Array => (a instanceof Float64Array ? a : Float64Array.from(a));

export class Evaluator {
  private readonly fetched = new Map<VectorSelector, Fetched[]>();
  private live = 0;
  private ops = 0;

  constructor(
    private readonly q: Queryable,
    private readonly queryStart: number,
    private readonly queryEnd: number,
    private readonly limits: EvalLimits,
  ) {}

  private atOf(n: VectorSelector | SubqueryExpr): number | undefined {
    if (n.atKind === 'start') return this.queryStart;
    if (n.atKind === 'end') return this.queryEnd;
    return n.atMs;
  }

  /** Fetches every selector's samples for the evaluation of `e` over `g`. */
  async prefetch(e: Expr, g: Grid, stepMs: number): Promise<void> {
    const requests: { vs: VectorSelector; hints: SelectHints }[] = [];
    const plan = (x: Expr, lo: number, hi: number, step: number, func?: string): void => {
      switch (x.type) {
        case 'vectorSelector': {
          const at = this.atOf(x);
          const a = (at ?? lo) - x.offsetMs;
          const b = (at ?? hi) - x.offsetMs;
          requests.push({ vs: x, hints: { minT: a - this.limits.lookbackDeltaMs, maxT: b, stepMs: step, func, rangeMs: 0 } });
          return;
        }
        case 'matrixSelector': {
          const at = this.atOf(x.vs);
          const a = (at ?? lo) - x.vs.offsetMs;
          const b = (at ?? hi) - x.vs.offsetMs;
          requests.push({ vs: x.vs, hints: { minT: a - x.rangeMs, maxT: b, stepMs: step, func, rangeMs: x.rangeMs } });
          return;
        }
        case 'subquery': {
          const at = this.atOf(x);
          const st = x.stepMs || this.limits.defaultSubqueryStepMs;
          const a = (at ?? lo) - x.offsetMs;
          const b = (at ?? hi) - x.offsetMs;
          plan(x.expr, Math.ceil((a - x.rangeMs) / st) * st, b, st);
          return;
        }
        case 'call':
          for (const a of x.args) plan(a, lo, hi, step, x.func);
          return;
        case 'aggregate':
          plan(x.expr, lo, hi, step);
          if (x.param) plan(x.param, lo, hi, step);
          return;
        case 'binary':
          plan(x.lhs, lo, hi, step);
          plan(x.rhs, lo, hi, step);
          return;
        case 'unary':
        case 'paren':
          plan(x.expr, lo, hi, step, func);
          return;
        default:
          return;
      }
    };
    plan(e, g.start, gridEnd(g), stepMs);
    const cache = new Map<string, Promise<Fetched[]>>();
    await Promise.all(
      requests.map(async ({ vs, hints }) => {
        const key = `${JSON.stringify(vs.matchers)}|${hints.minT}|${hints.maxT}`;
        let p = cache.get(key);
        if (!p) {
          p = this.select(hints, vs.matchers);
          cache.set(key, p);
        }
        this.fetched.set(vs, await p);
      }),
    );
  }

  private async select(hints: SelectHints, matchers: readonly Matcher[]): Promise<Fetched[]> {
    const got = await this.q.select(hints, matchers);
    this.checkLimits();
    let total = 0;
    const out = got.map((s) => {
      total += s.t.length;
      if (total > this.limits.maxSamples) throw tooManySamples();
      return { labels: fromStore(s.labels), t: toF64(s.t), v: toF64(s.v) };
    });
    // Label order, as Prometheus' storage returns series: sums then add in the same order.
    return sortByLabels(out);
  }

  private checkLimits(): void {
    if (this.limits.signal?.aborted) throw new QueryError('query was canceled in query execution', 'canceled');
    if (performance.now() > this.limits.deadline) throw new QueryError('query timed out in query execution', 'timeout');
  }

  /** Counts cells held; Prometheus' max_samples guard. */
  private charge(n: number): void {
    this.live += n;
    if (this.live > this.limits.maxSamples) throw tooManySamples();
    if ((this.ops += n) > 65_536) {
      this.ops = 0;
      this.checkLimits();
    }
  }

  eval(e: Expr, g: Grid): Value {
    this.checkLimits();
    const mark = this.live;
    const v = this.evalNode(e, g);
    this.live = mark;
    this.charge(cost(v, g));
    return v;
  }

  private evalNode(e: Expr, g: Grid): Value {
    switch (e.type) {
      case 'number':
        return { kind: 'scalar', v: new Float64Array(g.n).fill(e.value) };
      case 'string':
        return { kind: 'string', s: e.value };
      case 'paren':
        return this.eval(e.expr, g);
      case 'vectorSelector':
        return { kind: 'vector', series: this.selectVector(e, g, false) };
      case 'matrixSelector':
      case 'subquery':
        return this.topLevelMatrix(e, g);
      case 'unary':
        return this.unary(e.op, this.eval(e.expr, g));
      case 'binary':
        return this.binary(e, g);
      case 'aggregate':
        return this.aggregate(e, g);
      case 'call':
        return this.call(e, g);
    }
  }

  // ------------------------------------------------------------------ selectors

  private selectVector(vs: VectorSelector, g: Grid, timestamps: boolean): StepSeries[] {
    const data = this.fetched.get(vs) ?? [];
    const at = this.atOf(vs);
    const off = vs.offsetMs;
    const lookback = this.limits.lookbackDeltaMs;
    const out: StepSeries[] = [];
    for (const s of data) {
      this.charge(g.n);
      const t = s.t;
      const v = s.v;
      const len = t.length;
      const o = newSeries(s.labels, g.n);
      const sample = (ref: number, j: number): number => {
        // j: first index after ref; the candidate is j-1.
        if (j === 0) return -1;
        const k = j - 1;
        if (t[k]! < ref - lookback) return -1;
        const x = v[k]!;
        if (x !== x && isStaleNaN(x)) return -1;
        return k;
      };
      if (at !== undefined) {
        const ref = at - off;
        const k = sample(ref, upperBound(t, ref));
        if (k >= 0) {
          o.v.fill(timestamps ? t[k]! / 1000 : v[k]!);
          o.p.fill(1);
          o.count = g.n;
        }
      } else {
        let j = upperBound(t, g.start - off);
        for (let i = 0; i < g.n; i++) {
          const ref = g.start + i * g.step - off;
          while (j < len && t[j]! <= ref) j++;
          const k = sample(ref, j);
          if (k < 0) continue;
          o.v[i] = timestamps ? t[k]! / 1000 : v[k]!;
          o.p[i] = 1;
          o.count++;
        }
      }
      if (o.count > 0) out.push(o);
    }
    return out;
  }

  private clean(f: Fetched): { t: Float64Array; v: Float64Array } {
    if (f.clean) return f.clean;
    let stale = 0;
    for (let k = 0; k < f.v.length; k++) if (f.v[k] !== f.v[k] && isStaleNaN(f.v[k]!)) stale++;
    if (stale === 0) return (f.clean = { t: f.t, v: f.v });
    const t = new Float64Array(f.t.length - stale);
    const v = new Float64Array(t.length);
    let w = 0;
    for (let k = 0; k < f.v.length; k++) {
      const x = f.v[k]!;
      if (x !== x && isStaleNaN(x)) continue;
      t[w] = f.t[k]!;
      v[w++] = x;
    }
    return (f.clean = { t, v });
  }

  /** The samples a function over a range vector sees: a matrix selector's, or a subquery's steps. */
  private rangeSource(arg: Expr, g: Grid): RangeSource {
    const x = unwrapParens(arg);
    if (x.type === 'matrixSelector') {
      const data = this.fetched.get(x.vs) ?? [];
      return { series: data.map((f) => ({ labels: f.labels, ...this.clean(f) })), rangeMs: x.rangeMs, offsetMs: x.vs.offsetMs, atMs: this.atOf(x.vs) };
    }
    if (x.type !== 'subquery') throw new QueryError(`expected a range vector, got ${x.type}`);
    return { series: this.subquerySeries(x, g), rangeMs: x.rangeMs, offsetMs: x.offsetMs, atMs: this.atOf(x) };
  }

  /** A subquery evaluated on its own step grid, aligned to multiples of its step. */
  private subquerySeries(sq: SubqueryExpr, g: Grid): RawSeries[] {
    const at = this.atOf(sq);
    const step = sq.stepMs || this.limits.defaultSubqueryStepMs;
    const refLo = (at ?? g.start) - sq.offsetMs;
    const refHi = (at ?? gridEnd(g)) - sq.offsetMs;
    const start = Math.ceil((refLo - sq.rangeMs) / step) * step;
    const n = refHi >= start ? Math.floor((refHi - start) / step) + 1 : 0;
    if (n === 0) return [];
    const inner = this.eval(sq.expr, { start, step, n }) as VectorValue;
    return inner.series.map((s) => {
      const t = new Float64Array(s.count);
      const v = new Float64Array(s.count);
      let w = 0;
      for (let i = 0; i < n; i++) {
        if (!s.p[i]) continue;
        t[w] = start + i * step;
        v[w++] = s.v[i]!;
      }
      return { labels: s.labels, t, v };
    });
  }

  /** A range vector as the result of an instant query: the raw points of each window. */
  private topLevelMatrix(e: MatrixSelector | SubqueryExpr, g: Grid): Value {
    if (g.n !== 1) throw new QueryError('cannot do range evaluation of a range vector');
    const src = this.rangeSource(e, g);
    const ref = (src.atMs ?? g.start) - src.offsetMs;
    const series: RawSeries[] = [];
    for (const s of src.series) {
      const lo = lowerBound(s.t, ref - src.rangeMs);
      const hi = upperBound(s.t, ref);
      if (hi > lo) series.push({ labels: s.labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) });
    }
    return { kind: 'matrix', series };
  }

  // ------------------------------------------------------------------ operators

  private unary(op: '-' | '+', v: Value): Value {
    if (op === '+') return v;
    if (v.kind === 'scalar') return { kind: 'scalar', v: v.v.map((x) => -x) };
    const vec = v as VectorValue;
    const series = vec.series.map((s) => ({ labels: withoutName(s.labels), v: s.v.map((x) => -x), p: s.p, count: s.count }));
    assertUniqueLabels(series);
    return { kind: 'vector', series };
  }

  private binary(e: BinaryExpr, g: Grid): Value {
    const l = this.eval(e.lhs, g);
    const r = this.eval(e.rhs, g);
    if (l.kind === 'scalar' && r.kind === 'scalar') return { kind: 'scalar', v: scalarScalar(e.op, l.v, r.v) };
    if (l.kind === 'vector' && r.kind === 'scalar') return { kind: 'vector', series: vectorScalar(e.op, l.series, r.v, false, e.returnBool, g) };
    if (l.kind === 'scalar' && r.kind === 'vector') return { kind: 'vector', series: vectorScalar(e.op, r.series, l.v, true, e.returnBool, g) };
    const lv = l as VectorValue;
    const rv = r as VectorValue;
    if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return { kind: 'vector', series: setOperation(e.op, e.matching!, lv.series, rv.series, g) };
    return { kind: 'vector', series: vectorVector(e, lv.series, rv.series, g) };
  }

  private aggregate(e: AggregateExpr, g: Grid): Value {
    let param: Float64Array | string | undefined;
    if (e.param) {
      const p = unwrapParens(e.param);
      param = p.type === 'string' ? p.value : (this.eval(e.param, g) as { v: Float64Array }).v;
    }
    const input = this.eval(e.expr, g) as VectorValue;
    return { kind: 'vector', series: aggregate(e, input.series, param, g) };
  }

  // ------------------------------------------------------------------ functions

  private scalarArg(e: Expr, g: Grid): Float64Array {
    return (this.eval(e, g) as { v: Float64Array }).v;
  }

  private vectorArg(e: Expr, g: Grid): StepSeries[] {
    return (this.eval(e, g) as VectorValue).series;
  }

  private call(e: Call, g: Grid): Value {
    const name = e.func;
    if (RANGE_FUNCTIONS.has(name) || name === 'absent_over_time') return { kind: 'vector', series: this.rangeFunction(e, g) };
    const simple = SIMPLE_FUNCTIONS.get(name);
    if (simple) return this.mapValues(this.vectorArg(e.args[0]!, g), g, (x) => simple(x));
    const date = DATE_FUNCTIONS.get(name);
    if (date) {
      if (e.args.length === 0) return this.timeVector(g, (t) => date(Math.trunc(t / 1000)));
      return this.mapValues(this.vectorArg(e.args[0]!, g), g, (x) => date(x));
    }
    switch (name) {
      case 'time':
        return { kind: 'scalar', v: Float64Array.from({ length: g.n }, (_, i) => (g.start + i * g.step) / 1000) };
      case 'pi':
        return { kind: 'scalar', v: new Float64Array(g.n).fill(Math.PI) };
      case 'vector': {
        const s = newSeries(emptyLabels(), g.n);
        s.v.set(this.scalarArg(e.args[0]!, g));
        s.p.fill(1);
        s.count = g.n;
        return { kind: 'vector', series: [s] };
      }
      case 'scalar': {
        const vec = this.vectorArg(e.args[0]!, g);
        const out = new Float64Array(g.n);
        for (let i = 0; i < g.n; i++) {
          let n = 0;
          let x = NaN;
          for (const s of vec) if (s.p[i]) n++, (x = s.v[i]!);
          out[i] = n === 1 ? x : NaN;
        }
        return { kind: 'scalar', v: out };
      }
      case 'timestamp': {
        const arg = unwrapParens(e.args[0]!);
        // On a selector, the sample's own time; on anything else, the evaluation time.
        if (arg.type === 'vectorSelector') return this.mapValues(this.selectVector(arg, g, true), g, (x) => x);
        return this.mapValues(this.vectorArg(arg, g), g, (_x, i) => (g.start + i * g.step) / 1000);
      }
      case 'round': {
        const vec = this.vectorArg(e.args[0]!, g);
        const to = e.args[1] ? this.scalarArg(e.args[1], g) : undefined;
        return this.mapValues(vec, g, (x, i) => {
          const inv = 1 / (to ? to[i]! : 1);
          return Math.floor(x * inv + 0.5) / inv;
        });
      }
      case 'clamp':
      case 'clamp_min':
      case 'clamp_max': {
        const vec = this.vectorArg(e.args[0]!, g);
        const a = this.scalarArg(e.args[1]!, g);
        const b = name === 'clamp' ? this.scalarArg(e.args[2]!, g) : undefined;
        if (name === 'clamp_min') return this.mapValues(vec, g, (x, i) => Math.max(a[i]!, x));
        if (name === 'clamp_max') return this.mapValues(vec, g, (x, i) => Math.min(a[i]!, x));
        return this.mapValues(vec, g, (x, i) => (b![i]! < a[i]! ? undefined : Math.max(a[i]!, Math.min(b![i]!, x))));
      }
      case 'absent': {
        const vec = this.vectorArg(e.args[0]!, g);
        return { kind: 'vector', series: this.absentSeries(e.args[0]!, g, (i) => vec.some((s) => s.p[i] === 1)) };
      }
      case 'sort':
      case 'sort_desc': {
        const vec = this.vectorArg(e.args[0]!, g);
        if (g.n !== 1) return { kind: 'vector', series: vec };
        const desc = name === 'sort_desc';
        const sorted = [...vec].sort((a, b) => {
          const x = a.v[0]!;
          const y = b.v[0]!;
          if (x !== x) return y !== y ? 0 : 1;
          if (y !== y) return -1;
          return desc ? y - x : x - y;
        });
        return { kind: 'vector', series: sorted };
      }
      case 'label_replace':
        return this.labelReplace(e, g);
      case 'label_join':
        return this.labelJoin(e, g);
      case 'histogram_quantile':
        return this.histogramQuantile(e, g);
      default:
        throw new QueryError(`function ${JSON.stringify(name)} is not implemented`);
    }
  }

  /** f(value, step) over every present sample, the metric name dropped; undefined drops a sample. */
  private mapValues(vec: StepSeries[], g: Grid, f: (x: number, i: number) => number | undefined, keepName = false): Value {
    const col = new Collector(g.n);
    for (const s of vec) {
      const o = col.series(keepName ? s.labels : withoutName(s.labels));
      for (let i = 0; i < g.n; i++) {
        if (!s.p[i]) continue;
        const r = f(s.v[i]!, i);
        if (r !== undefined) Collector.set(o, i, r);
      }
    }
    return { kind: 'vector', series: col.result() };
  }

  private timeVector(g: Grid, f: (tMs: number) => number): Value {
    const s = newSeries(emptyLabels(), g.n);
    for (let i = 0; i < g.n; i++) s.v[i] = f(g.start + i * g.step);
    s.p.fill(1);
    s.count = g.n;
    return { kind: 'vector', series: [s] };
  }

  /** absent()/absent_over_time(): `{labels of the selector's equality matchers} 1` where nothing is. */
  private absentSeries(arg: Expr, g: Grid, present: (i: number) => boolean): StepSeries[] {
    const x = unwrapParens(arg);
    const labels = emptyLabels();
    const ms = x.type === 'vectorSelector' ? x.matchers : x.type === 'matrixSelector' ? x.vs.matchers : [];
    const dropped = new Set<string>();
    for (const m of ms) {
      if (m.name === METRIC_NAME) continue;
      if (m.type === '=' && !(m.name in labels)) {
        if (m.value !== '') labels[m.name] = m.value;
      } else dropped.add(m.name);
    }
    for (const d of dropped) delete labels[d];
    const s = newSeries(labels, g.n);
    for (let i = 0; i < g.n; i++) {
      if (present(i)) continue;
      s.v[i] = 1;
      s.p[i] = 1;
      s.count++;
    }
    return s.count > 0 ? [s] : [];
  }

  private rangeFunction(e: Call, g: Grid): StepSeries[] {
    const name = e.func;
    const matrixIdx = name === 'quantile_over_time' ? 1 : 0;
    const scalars = e.args.map((a, k) => (k === matrixIdx ? undefined : this.scalarArg(a, g))).filter((x): x is Float64Array => x !== undefined);
    const src = this.rangeSource(e.args[matrixIdx]!, g);
    const fn = RANGE_FUNCTIONS.get(name);
    const ctx: WindowCtx = { stepT: 0, rangeStart: 0, rangeEnd: 0, rangeMs: src.rangeMs, arg0: 0, arg1: 0, scratch: new Float64Array(64) };
    const anyAt = name === 'absent_over_time' ? new Uint8Array(g.n) : undefined;
    const out: StepSeries[] = [];
    for (const s of src.series) {
      const t = s.t;
      const v = s.v;
      const len = t.length;
      const o = fn ? newSeries(name === 'last_over_time' ? s.labels : withoutName(s.labels), g.n) : undefined;
      if (o) this.charge(g.n);
      let lo = 0;
      let hi = 0;
      // With @ the window is the same at every step: unless the result depends on the step
      // (predict_linear's intercept, per-step arguments), work it out once.
      const invariant = src.atMs !== undefined && name !== 'predict_linear' && scalars.every((a) => a.every((x) => Object.is(x, a[0])));
      for (let i = 0; i < g.n; i++) {
        if (invariant && i > 0) {
          if (anyAt) anyAt[i] = anyAt[0]!;
          else if (o!.p[0]) {
            o!.v[i] = o!.v[0]!;
            o!.p[i] = 1;
            o!.count++;
          }
          continue;
        }
        const ts = g.start + i * g.step;
        const ref = (src.atMs ?? ts) - src.offsetMs;
        const mint = ref - src.rangeMs;
        if (src.atMs !== undefined && i > 0) {
          // Same window every step.
        } else {
          while (hi < len && t[hi]! <= ref) hi++;
          while (lo < hi && t[lo]! < mint) lo++;
        }
        if (hi === lo) continue;
        if (anyAt) {
          anyAt[i] = 1;
          continue;
        }
        ctx.stepT = ts;
        ctx.rangeStart = mint;
        ctx.rangeEnd = ref;
        ctx.arg0 = scalars[0]?.[i] ?? 0;
        ctx.arg1 = scalars[1]?.[i] ?? 0;
        const r = fn!(t, v, lo, hi, ctx);
        if (r === undefined) continue;
        o!.v[i] = r;
        o!.p[i] = 1;
        o!.count++;
      }
      if (o && o.count > 0) out.push(o);
    }
    if (anyAt) return this.absentSeries(e.args[0]!, g, (i) => anyAt[i] === 1);
    assertUniqueLabels(out);
    return out;
  }

  private stringArg(e: Expr): string {
    const x = unwrapParens(e);
    if (x.type !== 'string') throw new QueryError('expected a string literal');
    return x.value;
  }

  private relabel(vec: StepSeries[], g: Grid, f: (l: LabelSet) => LabelSet): Value {
    const col = new Collector(g.n);
    for (const s of vec) {
      const o = col.series(f(s.labels));
      for (let i = 0; i < g.n; i++) if (s.p[i]) Collector.set(o, i, s.v[i]!);
    }
    return { kind: 'vector', series: col.result() };
  }

  private labelReplace(e: Call, g: Grid): Value {
    const vec = this.vectorArg(e.args[0]!, g);
    const dst = this.stringArg(e.args[1]!);
    const repl = this.stringArg(e.args[2]!);
    const src = this.stringArg(e.args[3]!);
    const re = compileRegex(this.stringArg(e.args[4]!));
    return this.relabel(vec, g, (l) => {
      const m = re.exec(l[src] ?? '');
      if (!m) return l;
      return withLabel(l, dst, expandTemplate(repl, m, re));
    });
  }

  private labelJoin(e: Call, g: Grid): Value {
    const vec = this.vectorArg(e.args[0]!, g);
    const dst = this.stringArg(e.args[1]!);
    const sep = this.stringArg(e.args[2]!);
    const srcs = e.args.slice(3).map((a) => this.stringArg(a));
    return this.relabel(vec, g, (l) => withLabel(l, dst, srcs.map((s) => l[s] ?? '').join(sep)));
  }

  private histogramQuantile(e: Call, g: Grid): Value {
    const q = this.scalarArg(e.args[0]!, g);
    const vec = this.vectorArg(e.args[1]!, g);
    // One histogram per label set without `le` (its name included, so two histograms with the
    // same other labels stay apart and then collide as Prometheus reports it).
    const groups = new Map<string, { labels: LabelSet; buckets: { ub: number; s: StepSeries }[] }>();
    for (const s of vec) {
      const ub = parseGoFloat(s.labels.le ?? '');
      if (ub === undefined) continue;
      const rest = Object.assign(emptyLabels(), s.labels);
      delete rest.le;
      const key = labelsKey(rest);
      let grp = groups.get(key);
      if (!grp) {
        groups.set(key, (grp = { labels: withoutName(rest), buckets: [] }));
      }
      grp.buckets.push({ ub, s });
    }
    const col = new Collector(g.n);
    const ubs: number[] = [];
    const cnts: number[] = [];
    for (const grp of groups.values()) {
      grp.buckets.sort((a, b) => a.ub - b.ub);
      const o = col.series(grp.labels);
      for (let i = 0; i < g.n; i++) {
        ubs.length = 0;
        cnts.length = 0;
        for (const b of grp.buckets) {
          if (!b.s.p[i]) continue;
          ubs.push(b.ub);
          cnts.push(b.s.v[i]!);
        }
        if (ubs.length === 0) continue;
        Collector.set(o, i, bucketQuantile(q[i]!, ubs, cnts));
      }
    }
    return { kind: 'vector', series: col.result() };
  }
}

function cost(v: Value, g: Grid): number {
  switch (v.kind) {
    case 'scalar': return g.n;
    case 'string': return 0;
    case 'vector': return v.series.length * g.n;
    case 'matrix': return v.series.reduce((n, s) => n + s.t.length, 0);
  }
}

/** First index with a[i] > x. */
export function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with a[i] >= x. */
export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Go's Regexp.ExpandString: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups are empty. */
export function expandTemplate(tmpl: string, m: (string | undefined)[], re: CompiledRegex): string {
  let out = '';
  let i = 0;
  while (i < tmpl.length) {
    const d = tmpl.indexOf('$', i);
    if (d < 0) {
      out += tmpl.slice(i);
      break;
    }
    out += tmpl.slice(i, d);
    i = d + 1;
    if (tmpl[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let brace = false;
    let j = i;
    if (tmpl[j] === '{') {
      brace = true;
      j++;
    }
    let k = j;
    while (k < tmpl.length && /[\p{L}\p{N}_]/u.test(tmpl[k]!)) k++;
    const name = tmpl.slice(j, k);
    if (name === '' || (brace && tmpl[k] !== '}')) {
      // Malformed: the $ is literal text.
      out += '$';
      continue;
    }
    i = brace ? k + 1 : k;
    let idx = -1;
    if (/^\d+$/.test(name) && !(name.length > 1 && name[0] === '0') && name.length < 9) idx = Number(name);
    else if (re.names.has(name)) idx = re.names.get(name)!;
    if (idx >= 0 && idx < m.length) out += m[idx] ?? '';
  }
  return out;
}
