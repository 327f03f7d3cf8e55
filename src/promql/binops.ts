// Binary operators over step-matrices, with Prometheus' vector matching: signatures worked out
// once per series, matches and Prometheus' matching errors checked per step (a step is where
// Prometheus evaluates), names dropped by arithmetic and `bool` only.
import type { BinaryExpr, BinaryOp, VectorMatching } from './ast.js';
import { COMPARISON_OPS } from './ast.js';
import { QueryError } from './errors.js';
import { drop, formatLabels, keep, keyOf, keyWithout, labelsKey, METRIC_NAME, withoutName, type LabelSet } from './labels.js';
import { goPow } from './mathfns.js';
import { Collector, newSeries, type Grid, type StepSeries } from './values.js';

const DROPS_NAME = new Set<string>(['+', '-', '*', '/', '%', '^']);

export function arith(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return l / r;
    case '%': return l % r;
    case '^': return goPow(l, r);
    case 'atan2': return Math.atan2(l, r);
    default: return NaN;
  }
}

export function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==': return l === r;
    case '!=': return l !== r;
    case '<': return l < r;
    case '<=': return l <= r;
    case '>': return l > r;
    case '>=': return l >= r;
    default: return false;
  }
}

export function scalarScalar(op: BinaryOp, a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  const cmp = COMPARISON_OPS.has(op);
  for (let i = 0; i < a.length; i++) out[i] = cmp ? (compare(op, a[i]!, b[i]!) ? 1 : 0) : arith(op, a[i]!, b[i]!);
  return out;
}

export function vectorScalar(op: BinaryOp, vec: StepSeries[], sc: Float64Array, scalarLeft: boolean, returnBool: boolean, g: Grid): StepSeries[] {
  const cmp = COMPARISON_OPS.has(op);
  const dropName = DROPS_NAME.has(op) || returnBool;
  const col = new Collector(g.n);
  for (const s of vec) {
    const out = col.series(dropName ? withoutName(s.labels) : s.labels);
    for (let i = 0; i < g.n; i++) {
      if (!s.p[i]) continue;
      const x = s.v[i]!;
      const l = scalarLeft ? sc[i]! : x;
      const r = scalarLeft ? x : sc[i]!;
      if (cmp) {
        const keep = compare(op, l, r);
        if (returnBool) Collector.set(out, i, keep ? 1 : 0);
        else if (keep) Collector.set(out, i, x);
      } else Collector.set(out, i, arith(op, l, r));
    }
  }
  return col.result();
}

function signature(m: VectorMatching): (l: LabelSet) => string {
  if (m.on) return (l) => keyOf(l, m.labels);
  const names = [...m.labels, METRIC_NAME];
  return (l) => keyWithout(l, names);
}

function matchLabels(l: LabelSet, m: VectorMatching): LabelSet {
  return m.on ? keep(l, m.labels) : drop(l, [...m.labels, METRIC_NAME]);
}

function anyPresent(series: StepSeries[], n: number): Uint8Array {
  const any = new Uint8Array(n);
  for (const s of series) for (let i = 0; i < n; i++) any[i]! |= s.p[i]!;
  return any;
}

function groupBySig(series: StepSeries[], sig: (l: LabelSet) => string): Map<string, StepSeries[]> {
  const by = new Map<string, StepSeries[]>();
  for (const s of series) {
    const k = sig(s.labels);
    const list = by.get(k);
    if (list) list.push(s);
    else by.set(k, [s]);
  }
  return by;
}

/** Arithmetic and comparison between two instant vectors. */
export function vectorVector(e: BinaryExpr, lhs: StepSeries[], rhs: StepSeries[], g: Grid): StepSeries[] {
  const m = e.matching!;
  const n = g.n;
  const swapped = m.card === 'one-to-many';
  const many = swapped ? rhs : lhs;
  const one = swapped ? lhs : rhs;
  const sig = signature(m);
  const cmp = COMPARISON_OPS.has(e.op);
  const anyL = anyPresent(lhs, n);
  const anyR = anyPresent(rhs, n);
  const oneBy = groupBySig(one, sig);
  // The 'one' side must be unique per signature at every step where both sides have samples.
  for (const list of oneBy.values()) {
    if (list.length < 2) continue;
    for (let i = 0; i < n; i++) {
      if (!anyL[i] || !anyR[i]) continue;
      let first: StepSeries | undefined;
      for (const s of list) {
        if (!s.p[i]) continue;
        if (first) {
          throw new QueryError(
            `found duplicate series for the match group ${formatLabels(matchLabels(s.labels, m))} on the ${swapped ? 'left' : 'right'} hand-side of the operation: ` +
              `[${formatLabels(s.labels)}, ${formatLabels(first.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
          );
        }
        first = s;
      }
    }
  }
  const col = new Collector(n);
  const dropName = DROPS_NAME.has(e.op);
  const resultCache = new Map<StepSeries, Map<StepSeries, StepSeries>>();
  const resultSeries = (ms: StepSeries, os: StepSeries): StepSeries => {
    let inner = resultCache.get(ms);
    if (!inner) resultCache.set(ms, (inner = new Map()));
    let out = inner.get(os);
    if (!out) {
      let l = ms.labels;
      if (dropName) l = withoutName(l);
      if (m.card === 'one-to-one') l = m.on ? keep(l, m.labels) : drop(l, m.labels);
      if (m.include.length > 0) {
        const b: LabelSet = Object.assign(Object.create(null) as LabelSet, l);
        for (const name of m.include) {
          const v = os.labels[name];
          if (v !== undefined) b[name] = v;
          else delete b[name];
        }
        l = b;
      }
      if (e.returnBool) l = withoutName(l);
      out = col.series(l, labelsKey(l));
      inner.set(os, out);
    }
    return out;
  };
  const manyBy = groupBySig(many, sig);
  for (const [k, members] of manyBy) {
    const ones = oneBy.get(k);
    if (!ones) continue;
    for (let i = 0; i < n; i++) {
      let os: StepSeries | undefined;
      for (const o of ones) if (o.p[i]) os = o;
      if (!os) continue;
      let matched: StepSeries | undefined;
      let inserted: Set<StepSeries> | undefined;
      for (const ms of members) {
        if (!ms.p[i]) continue;
        let vl = ms.v[i]!;
        let vr = os.v[i]!;
        if (swapped) [vl, vr] = [vr, vl];
        let value: number;
        if (cmp) {
          const keepIt = compare(e.op, vl, vr);
          if (e.returnBool) value = keepIt ? 1 : 0;
          else if (!keepIt) continue;
          else value = vl;
        } else value = arith(e.op, vl, vr);
        const out = resultSeries(ms, os);
        if (m.card === 'one-to-one') {
          if (matched) throw new QueryError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
          matched = ms;
        } else {
          inserted ??= new Set();
          if (inserted.has(out)) throw new QueryError('multiple matches for labels: grouping labels must ensure unique matches');
          inserted.add(out);
        }
        Collector.set(out, i, value);
      }
    }
  }
  return col.result();
}

/** `and`, `or`, `unless`: series pass through with their labels, masked per step. */
export function setOperation(op: 'and' | 'or' | 'unless', m: VectorMatching, lhs: StepSeries[], rhs: StepSeries[], g: Grid): StepSeries[] {
  const n = g.n;
  const sig = signature(m);
  const sigPresence = (series: StepSeries[]): Map<string, Uint8Array> => {
    const by = new Map<string, Uint8Array>();
    for (const s of series) {
      const k = sig(s.labels);
      let any = by.get(k);
      if (!any) by.set(k, (any = new Uint8Array(n)));
      for (let i = 0; i < n; i++) any[i]! |= s.p[i]!;
    }
    return by;
  };
  const masked = (s: StepSeries, keepAt: (i: number) => boolean, into?: Collector): StepSeries | undefined => {
    const out = into ? into.series(s.labels) : newSeries(s.labels, n);
    for (let i = 0; i < n; i++) {
      if (s.p[i] && keepAt(i)) {
        if (into) Collector.set(out, i, s.v[i]!);
        else {
          out.p[i] = 1;
          out.v[i] = s.v[i]!;
          out.count++;
        }
      }
    }
    return out.count > 0 ? out : undefined;
  };
  if (op === 'or') {
    const left = sigPresence(lhs);
    const col = new Collector(n);
    for (const s of lhs) masked(s, () => true, col);
    for (const s of rhs) {
      const l = left.get(sig(s.labels));
      masked(s, (i) => !l || !l[i], col);
    }
    return col.result();
  }
  const right = sigPresence(rhs);
  const out: StepSeries[] = [];
  for (const s of lhs) {
    const r = right.get(sig(s.labels));
    const o = op === 'and' ? (r ? masked(s, (i) => r[i] === 1) : undefined) : masked(s, (i) => !r || !r[i]);
    if (o) out.push(o);
  }
  return out;
}
