// Aggregation operators over step-matrices. Groups are worked out once per series (labels do
// not change between steps); accumulation per step follows Prometheus 2.42 exactly (first value
// assigned, then added in input order; incremental mean; Welford variance; topk by heap).
import type { AggregateExpr } from './ast.js';
import { formatFloatF } from './format.js';
import { drop, keep, keyOf, keyWithout, labelsKey, METRIC_NAME, withLabel, type LabelSet } from './labels.js';
import { quantileSorted } from './mathfns.js';
import { sortNaNFirst } from './rangefns.js';
import { Collector, newSeries, type Grid, type StepSeries } from './values.js';
import { QueryError } from './errors.js';
import { goFloat } from '../prometheus/floatfmt.js';

/** Prometheus' convertibleToInt64 bound. */
const MAX_INT64_FLOAT = 9223372036854774784;

interface Group {
  labels: LabelSet;
  members: StepSeries[];
}

function groupsOf(input: StepSeries[], e: AggregateExpr): Group[] {
  const byKey = new Map<string, Group>();
  const out: Group[] = [];
  const withoutNames = e.without ? [...e.grouping, METRIC_NAME] : e.grouping;
  for (const s of input) {
    const key = e.without ? keyWithout(s.labels, withoutNames) : keyOf(s.labels, e.grouping);
    let g = byKey.get(key);
    if (!g) {
      g = { labels: e.without ? drop(s.labels, withoutNames) : keep(s.labels, e.grouping), members: [] };
      byKey.set(key, g);
      out.push(g);
    }
    g.members.push(s);
  }
  return out;
}

/** `param` is per step for topk/bottomk/quantile; the label name for count_values. */
export function aggregate(e: AggregateExpr, input: StepSeries[], param: Float64Array | string | undefined, g: Grid): StepSeries[] {
  if (e.op === 'count_values') return countValues(e, input, param as string, g);
  const groups = groupsOf(input, e);
  if (e.op === 'topk' || e.op === 'bottomk') return topk(e.op === 'topk', groups, param as Float64Array, g);
  const out: StepSeries[] = [];
  for (const grp of groups) {
    const s = newSeries(grp.labels, g.n);
    switch (e.op) {
      case 'quantile':
        quantile(grp, param as Float64Array, s, g.n);
        break;
      case 'avg':
        avg(grp, s, g.n);
        break;
      case 'stddev':
      case 'stdvar':
        variance(grp, s, g.n, e.op === 'stddev');
        break;
      default:
        simple(e.op, grp, s, g.n);
    }
    if (s.count > 0) out.push(s);
  }
  return out;
}

function simple(op: string, grp: Group, out: StepSeries, n: number): void {
  const acc = out.v;
  const has = out.p;
  for (const m of grp.members) {
    const v = m.v;
    const p = m.p;
    for (let i = 0; i < n; i++) {
      if (!p[i]) continue;
      const x = v[i]!;
      if (!has[i]) {
        has[i] = 1;
        out.count++;
        acc[i] = op === 'count' || op === 'group' ? 1 : x;
        continue;
      }
      switch (op) {
        case 'sum':
          acc[i] += x;
          break;
        case 'count':
          acc[i]++;
          break;
        case 'max':
          if (acc[i]! < x || acc[i] !== acc[i]) acc[i] = x;
          break;
        case 'min':
          if (acc[i]! > x || acc[i] !== acc[i]) acc[i] = x;
          break;
      }
    }
  }
}

function avg(grp: Group, out: StepSeries, n: number): void {
  const mean = out.v;
  const cnt = new Float64Array(n);
  for (const m of grp.members) {
    for (let i = 0; i < n; i++) {
      if (!m.p[i]) continue;
      const x = m.v[i]!;
      if (!out.p[i]) {
        out.p[i] = 1;
        out.count++;
        mean[i] = x;
        cnt[i] = 1;
        continue;
      }
      const c = ++cnt[i]!;
      const mu = mean[i]!;
      if (mu === Infinity || mu === -Infinity) {
        // Inf of the same sign stays; a finite value cannot move an infinite mean.
        if ((x === Infinity || x === -Infinity) && mu > 0 === x > 0) continue;
        if (x !== Infinity && x !== -Infinity && x === x) continue;
      }
      mean[i] = mu + (x / c - mu / c);
    }
  }
}

function variance(grp: Group, out: StepSeries, n: number, sqrt: boolean): void {
  const mean = new Float64Array(n);
  const cnt = new Float64Array(n);
  const val = out.v;
  for (const m of grp.members) {
    for (let i = 0; i < n; i++) {
      if (!m.p[i]) continue;
      const x = m.v[i]!;
      if (!out.p[i]) {
        out.p[i] = 1;
        out.count++;
        mean[i] = x;
        cnt[i] = 1;
        val[i] = 0;
        continue;
      }
      const c = ++cnt[i]!;
      const delta = x - mean[i]!;
      mean[i] += delta / c;
      val[i] += delta * (x - mean[i]!);
    }
  }
  for (let i = 0; i < n; i++) if (out.p[i]) val[i] = sqrt ? Math.sqrt(val[i]! / cnt[i]!) : val[i]! / cnt[i]!;
}

function quantile(grp: Group, q: Float64Array, out: StepSeries, n: number): void {
  const buf = new Float64Array(grp.members.length);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (const m of grp.members) if (m.p[i]) buf[k++] = m.v[i]!;
    if (k === 0) continue;
    out.p[i] = 1;
    out.count++;
    out.v[i] = quantileSorted(q[i]!, sortNaNFirst(buf.subarray(0, k)));
  }
}

/**
 * topk/bottomk as Prometheus selects them: a heap of k (Go's container/heap, NaN lowest), so
 * ties resolve the same way; each group's selection is ordered best first.
 */
function topk(isTop: boolean, groups: Group[], kParam: Float64Array, g: Grid): StepSeries[] {
  // Output series are the selected inputs themselves (labels kept), one per input series.
  const outBy = new Map<StepSeries, StepSeries>();
  const order: StepSeries[] = [];
  const less = isTop
    ? (a: number, b: number): boolean => a !== a || a < b
    : (a: number, b: number): boolean => a !== a || a > b;
  for (let i = 0; i < g.n; i++) {
    const kRaw = kParam[i]!;
    if (!(kRaw <= MAX_INT64_FLOAT && kRaw >= -MAX_INT64_FLOAT)) throw new QueryError(`Scalar value ${goFloat(kRaw)} overflows int64`);
    const kf = Math.trunc(kRaw);
    if (!(kf >= 1)) continue;
    for (const grp of groups) {
      let present = 0;
      for (const m of grp.members) if (m.p[i]) present++;
      const k = Math.min(kf, present);
      if (k === 0) continue;
      const heap: StepSeries[] = [];
      for (const m of grp.members) {
        if (!m.p[i]) continue;
        const x = m.v[i]!;
        if (heap.length < k) {
          heap.push(m);
          up(heap, heap.length - 1, i, less);
        } else {
          const top = heap[0]!.v[i]!;
          if (isTop ? top < x || (top !== top && x === x) : top > x || (top !== top && x === x)) {
            heap[0] = m;
            if (k > 1) down(heap, 0, i, less);
          }
        }
      }
      // Best first: the heap's order reversed, NaN last.
      heap.sort((a, b) => (less(b.v[i]!, a.v[i]!) ? -1 : less(a.v[i]!, b.v[i]!) ? 1 : 0));
      for (const m of heap) {
        let o = outBy.get(m);
        if (!o) {
          o = newSeries(m.labels, g.n);
          outBy.set(m, o);
          order.push(o);
        }
        o.p[i] = 1;
        o.v[i] = m.v[i]!;
        o.count++;
      }
    }
  }
  return order;
}

type Less = (a: number, b: number) => boolean;
function up(h: StepSeries[], j: number, i: number, less: Less): void {
  for (;;) {
    const parent = (j - 1) >> 1;
    if (j <= 0 || !less(h[j]!.v[i]!, h[parent]!.v[i]!)) break;
    [h[parent], h[j]] = [h[j]!, h[parent]!];
    j = parent;
  }
}
function down(h: StepSeries[], j: number, i: number, less: Less): void {
  const n = h.length;
  for (;;) {
    const j1 = 2 * j + 1;
    if (j1 >= n || j1 < 0) break;
    let c = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2]!.v[i]!, h[j1]!.v[i]!)) c = j2;
    if (!less(h[c]!.v[i]!, h[j]!.v[i]!)) break;
    [h[j], h[c]] = [h[c]!, h[j]!];
    j = c;
  }
}

function countValues(e: AggregateExpr, input: StepSeries[], label: string, g: Grid): StepSeries[] {
  const grouping = e.without ? e.grouping : [...new Set([...e.grouping, label])].sort();
  const withoutNames = [...e.grouping, METRIC_NAME];
  const col = new Collector(g.n);
  const keyCache = new Map<string, { labels: LabelSet; key: string }>();
  for (const s of input) {
    for (let i = 0; i < g.n; i++) {
      if (!s.p[i]) continue;
      const value = formatFloatF(s.v[i]!);
      const ck = `${labelsKey(s.labels)}\u0000${value}`;
      let hit = keyCache.get(ck);
      if (!hit) {
        const l = withLabel(s.labels, label, value);
        const labels = e.without ? drop(l, withoutNames) : keep(l, grouping);
        hit = { labels, key: labelsKey(labels) };
        keyCache.set(ck, hit);
      }
      const o = col.series(hit.labels, hit.key);
      if (o.p[i]) o.v[i]++;
      else Collector.set(o, i, 1);
    }
  }
  return col.result();
}
