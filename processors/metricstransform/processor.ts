// Transforms run in order over every resource of a batch: update renames and edits matching
// metrics in place, insert adds an edited copy, combine merges matching metrics into one (regexp
// groups become labels), group moves them to a new resource.
import type { Logger } from 'pino';
import type { Metric, MetricsData, ResourceMetrics, ScopeMetrics } from '../../src/pdata/types.js';
import type { DataPoint } from '../../src/processorhelper/iterate.js';
import { valueToString } from '../../src/processorhelper/value.js';
import { mustGoRegex } from '../../src/util/goregex.js';
import { mergePoints, type Aggregation } from '../../src/processorhelper/aggregate.js';
import type { Config, Transform } from './config.js';
import { compileOperation, type OperationFn } from './operations.js';

interface Compiled {
  t: Transform;
  match: (name: string) => RegExpExecArray | undefined;
  labels?: [string, RegExp][];
  ops: OperationFn[];
}

/** `$1`, `${1}`, `${name}` from the regexp match, as Go's Regexp.Expand. */
function expand(template: string, m: RegExpExecArray | undefined): string {
  if (!m) return template;
  return template.replace(/\$(\d+)|\$\{(\w+)\}/g, (_all, n: string | undefined, name: string | undefined) => {
    const key = n ?? name!;
    return (/^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key]) ?? '';
  });
}

function compile(t: Transform): Compiled {
  const include = t.include ?? t.metric_name ?? '';
  let match: Compiled['match'];
  if (t.match_type === 'regexp') {
    const re = mustGoRegex(include);
    match = (name) => re.exec(name) ?? undefined;
  } else match = (name) => (name === include ? Object.assign([name], { index: 0, input: name }) as RegExpExecArray : undefined);
  const labels = Object.entries(t.experimental_match_labels).map(([k, v]) => [k, mustGoRegex(`^(?:${v})$`)] as [string, RegExp]);
  return { t, match, labels: labels.length ? labels : undefined, ops: t.operations.map(compileOperation) };
}

function pointsOf(m: Metric): DataPoint[] {
  return m.type === 'empty' ? [] : (m.dataPoints as DataPoint[]);
}

function setPoints(m: Metric, ps: DataPoint[]): void {
  if (m.type !== 'empty') (m as { dataPoints: DataPoint[] }).dataPoints = ps;
}

export class MetricsTransformer {
  private readonly transforms: Compiled[];
  private readonly warned = new Set<string>();

  constructor(
    cfg: Config,
    private readonly logger: Logger,
  ) {
    this.transforms = cfg.transforms.map(compile);
  }

  private problem(msg: string | undefined): void {
    if (!msg || this.warned.has(msg)) return;
    this.warned.add(msg);
    this.logger.warn({ problem: msg }, 'metricstransform: operation skipped (logged once per kind)');
  }

  private runOps(c: Compiled, m: Metric): void {
    for (const op of c.ops) this.problem(op(m));
  }

  /** Operations on the points experimental_match_labels selects only; the others stay as they were. */
  private runOpsOnMatching(c: Compiled, m: Metric): void {
    if (!c.labels) return this.runOps(c, m);
    const [sel, rest] = this.split(c, m);
    setPoints(m, sel);
    this.runOps(c, m);
    setPoints(m, [...pointsOf(m), ...rest]);
  }

  private split(c: Compiled, m: Metric): [DataPoint[], DataPoint[]] {
    const sel: DataPoint[] = [];
    const rest: DataPoint[] = [];
    for (const p of pointsOf(m))
      (c.labels!.every(([k, re]) => k in p.attributes && re.test(valueToString(p.attributes[k]))) ? sel : rest).push(p);
    return [sel, rest];
  }

  process(data: MetricsData): MetricsData {
    for (const c of this.transforms) {
      const added: ResourceMetrics[] = [];
      for (const rm of data.resourceMetrics) {
        if (c.t.action === 'combine') this.combine(c, rm);
        else if (c.t.action === 'group') this.group(c, rm, added);
        else for (const sm of rm.scopeMetrics) this.updateOrInsert(c, sm);
      }
      data.resourceMetrics.push(...added);
      // Resources and scopes left empty by combine/group are removed, as the Collector does.
      data.resourceMetrics = data.resourceMetrics.filter((rm) => (rm.scopeMetrics = rm.scopeMetrics.filter((sm) => sm.metrics.length > 0)).length > 0);
    }
    return data;
  }

  private updateOrInsert(c: Compiled, sm: ScopeMetrics): void {
    const inserted: Metric[] = [];
    for (const m of sm.metrics) {
      const hit = c.match(m.name);
      if (!hit) continue;
      const newName = c.t.new_name !== undefined ? expand(c.t.new_name, hit) : undefined;
      if (c.t.action === 'update') {
        if (newName && newName !== m.name && sm.metrics.some((x) => x.name === newName)) {
          this.problem(`update: a metric named "${newName}" already exists; "${m.name}" not renamed`);
        } else if (newName) m.name = newName;
        this.runOpsOnMatching(c, m);
      } else {
        const copy = structuredClone(m);
        if (c.labels) setPoints(copy, this.split(c, copy)[0]);
        copy.name = newName!;
        this.runOps(c, copy);
        inserted.push(copy);
      }
    }
    sm.metrics.push(...inserted);
  }

  private combine(c: Compiled, rm: ResourceMetrics): void {
    const found: { sm: ScopeMetrics; m: Metric; hit: RegExpExecArray }[] = [];
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) {
        const hit = c.match(m.name);
        if (hit) found.push({ sm, m, hit });
      }
    if (found.length === 0) return;
    const first = found[0]!.m;
    const sameKind = found.every(({ m }) =>
      m.type === first.type && m.unit === first.unit &&
      (m.type !== 'sum' || (first.type === 'sum' && m.isMonotonic === first.isMonotonic && m.aggregationTemporality === first.aggregationTemporality)));
    if (!sameKind || first.type === 'empty') {
      this.problem(`combine "${c.t.new_name}": the matched metrics differ in type, unit, monotonicity or temporality; left as they are`);
      return;
    }
    const out = structuredClone(first);
    out.name = c.t.new_name!;
    const pts: DataPoint[] = [];
    for (const { m, hit } of found) {
      for (const p of pointsOf(m)) {
        for (const [k, v] of Object.entries(hit.groups ?? {})) {
          if (v === undefined) continue;
          p.attributes[k] = c.t.submatch_case === 'lower' ? v.toLowerCase() : c.t.submatch_case === 'upper' ? v.toUpperCase() : v;
        }
        pts.push(p);
      }
    }
    setPoints(out, pts);
    if (c.t.aggregation_type) this.problem(mergePoints(out, c.t.aggregation_type as Aggregation));
    this.runOps(c, out);
    const drop = new Set(found.map((f) => f.m));
    for (const sm of rm.scopeMetrics) sm.metrics = sm.metrics.filter((m) => !drop.has(m));
    found[0]!.sm.metrics.push(out);
  }

  private group(c: Compiled, rm: ResourceMetrics, added: ResourceMetrics[]): void {
    const scopes: ScopeMetrics[] = [];
    for (const sm of rm.scopeMetrics) {
      const moved = sm.metrics.filter((m) => c.match(m.name));
      if (moved.length === 0) continue;
      sm.metrics = sm.metrics.filter((m) => !moved.includes(m));
      for (const m of moved) this.runOps(c, m);
      scopes.push({ scope: structuredClone(sm.scope), metrics: moved, schemaUrl: sm.schemaUrl });
    }
    if (scopes.length === 0) return;
    added.push({
      resource: { attributes: { ...structuredClone(rm.resource.attributes), ...c.t.group_resource_labels } },
      scopeMetrics: scopes,
      schemaUrl: rm.schemaUrl,
    });
  }
}
