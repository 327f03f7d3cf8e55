// The transform processor's own metric functions (the Collector's transformprocessor README):
// they run in metric context, change a metric's type or values, or add metrics to the scope (a
// new metric is appended and so meets the later statements of the group, as in the Collector).
import type {
  AggregationTemporality,
  Attributes,
  HistogramDataPoint,
  Metric,
  NumberDataPoint,
  SumMetric,
  SummaryDataPoint,
} from '../../src/pdata/types.js';
import { mergePoints, type Aggregation } from '../../src/processorhelper/aggregate.js';
import type { EvalContext } from '../../src/processorhelper/expr-eval.js';
import { OttlError } from '../../src/processorhelper/expr-eval.js';
import { arg, opt, type Bound, type FunctionDef } from '../../src/processorhelper/ottl/functions.js';

const METRIC: FunctionDef['contexts'] = ['metric'];

function temporality(a: Bound, name: string): AggregationTemporality {
  const t = a.str(name)!;
  if (t !== 'cumulative' && t !== 'delta') a.fail(name, 'must be "cumulative" or "delta"');
  return (t === 'delta' ? 1 : 2) as AggregationTemporality;
}

/** Replace a metric's fields in place (the slice keeps the same object). */
function reshape(m: Metric, next: Metric): void {
  const o = m as unknown as Record<string, unknown>;
  for (const k of Object.keys(o)) delete o[k];
  for (const [k, v] of Object.entries(next)) if (v !== undefined) o[k] = v;
}

function addMetric(c: EvalContext, m: Metric): void {
  if (!c.metrics) throw new OttlError('this metric is not in a scope that can take new metrics');
  c.metrics.push(m);
}

const copyAttrs = (a: Attributes): Attributes => structuredClone(a);

function base(m: Metric, suffix: string, withUnit: boolean): Pick<Metric, 'name' | 'description' | 'unit'> {
  return { name: m.name + suffix, description: m.description, ...(withUnit && m.unit !== undefined ? { unit: m.unit } : {}) };
}

type StatPoint = (HistogramDataPoint | SummaryDataPoint) & { count: number; sum?: number };

function statPoints(m: Metric): StatPoint[] | undefined {
  return m.type === 'histogram' || m.type === 'exponentialHistogram' || m.type === 'summary' ? (m.dataPoints as StatPoint[]) : undefined;
}

/** A new Sum from the count or sum of each point of a histogram or summary. */
function extract(c: EvalContext, what: 'count' | 'sum', monotonic: boolean, suffix: string, only?: 'summary', temp?: AggregationTemporality): void {
  const m = c.metric!;
  const pts = statPoints(m);
  if (!pts || (only && m.type !== only)) return;
  const t = temp ?? ('aggregationTemporality' in m ? m.aggregationTemporality : (2 as AggregationTemporality));
  const dataPoints: NumberDataPoint[] = [];
  for (const p of pts) {
    if (what === 'sum' && p.sum === undefined) continue;
    dataPoints.push({
      attributes: copyAttrs(p.attributes), startTimeUnixNano: p.startTimeUnixNano, timeUnixNano: p.timeUnixNano,
      value: what === 'count' ? BigInt(p.count) : p.sum!,
    });
  }
  if (dataPoints.length === 0) return;
  const out: SumMetric = { ...base(m, suffix, false), type: 'sum', aggregationTemporality: t, isMonotonic: monotonic, dataPoints };
  addMetric(c, out);
}

const scale = (v: number | bigint, f: number): number | bigint => (typeof v === 'bigint' ? BigInt(Math.trunc(Number(v) * f)) : v * f);

export const METRIC_FUNCTIONS: FunctionDef[] = [
  {
    name: 'convert_sum_to_gauge',
    editor: true,
    contexts: METRIC,
    params: [],
    build: () => (c) => {
      const m = c.metric!;
      if (m.type === 'sum') reshape(m, { name: m.name, description: m.description, unit: m.unit, metadata: m.metadata, type: 'gauge', dataPoints: m.dataPoints });
      return undefined;
    },
  },
  {
    name: 'convert_gauge_to_sum',
    editor: true,
    contexts: METRIC,
    params: [arg('aggregation_temporality', 'string'), arg('is_monotonic', 'bool')],
    build: (a) => {
      const t = temporality(a, 'aggregation_temporality');
      const mono = a.bool('is_monotonic')!;
      return (c) => {
        const m = c.metric!;
        if (m.type === 'gauge')
          reshape(m, { name: m.name, description: m.description, unit: m.unit, metadata: m.metadata, type: 'sum', aggregationTemporality: t, isMonotonic: mono, dataPoints: m.dataPoints });
        return undefined;
      };
    },
  },
  {
    name: 'extract_sum_metric',
    editor: true,
    contexts: METRIC,
    params: [arg('monotonic', 'bool', ['is_monotonic', 'monotonicity']), opt('suffix', 'string')],
    build: (a) => {
      const mono = a.bool('monotonic')!;
      const suffix = a.str('suffix') ?? '_sum';
      return (c) => (extract(c, 'sum', mono, suffix), undefined);
    },
  },
  {
    name: 'extract_count_metric',
    editor: true,
    contexts: METRIC,
    params: [arg('monotonic', 'bool', ['is_monotonic', 'monotonicity']), opt('suffix', 'string')],
    build: (a) => {
      const mono = a.bool('monotonic')!;
      const suffix = a.str('suffix') ?? '_count';
      return (c) => (extract(c, 'count', mono, suffix), undefined);
    },
  },
  {
    name: 'convert_summary_count_val_to_sum',
    editor: true,
    contexts: METRIC,
    params: [arg('aggregation_temporality', 'string'), arg('monotonic', 'bool', ['is_monotonic', 'monotonicity']), opt('suffix', 'string')],
    build: (a) => {
      const t = temporality(a, 'aggregation_temporality');
      const mono = a.bool('monotonic')!;
      const suffix = a.str('suffix') ?? '_count';
      return (c) => (extract(c, 'count', mono, suffix, 'summary', t), undefined);
    },
  },
  {
    name: 'convert_summary_sum_val_to_sum',
    editor: true,
    contexts: METRIC,
    params: [arg('aggregation_temporality', 'string'), arg('monotonic', 'bool', ['is_monotonic', 'monotonicity']), opt('suffix', 'string')],
    build: (a) => {
      const t = temporality(a, 'aggregation_temporality');
      const mono = a.bool('monotonic')!;
      const suffix = a.str('suffix') ?? '_sum';
      return (c) => (extract(c, 'sum', mono, suffix, 'summary', t), undefined);
    },
  },
  {
    name: 'convert_summary_quantile_val_to_gauge',
    editor: true,
    contexts: METRIC,
    params: [opt('attribute_key', 'string'), opt('suffix', 'string')],
    build: (a) => {
      const key = a.str('attribute_key') ?? 'quantile';
      const suffix = a.str('suffix') ?? '.quantiles';
      return (c) => {
        const m = c.metric!;
        if (m.type !== 'summary') return undefined;
        const dataPoints: NumberDataPoint[] = [];
        for (const p of m.dataPoints)
          for (const q of p.quantileValues)
            dataPoints.push({ attributes: { ...copyAttrs(p.attributes), [key]: q.quantile }, startTimeUnixNano: p.startTimeUnixNano, timeUnixNano: p.timeUnixNano, value: q.value });
        if (dataPoints.length) addMetric(c, { ...base(m, suffix, true), type: 'gauge', dataPoints });
        return undefined;
      };
    },
  },
  {
    name: 'copy_metric',
    editor: true,
    contexts: METRIC,
    params: [opt('name', 'any'), opt('desc', 'any', ['description']), opt('unit', 'any')],
    build: (a) => {
      const name = a.has('name') ? a.get('name') : undefined;
      const desc = a.has('desc') ? a.get('desc') : undefined;
      const unit = a.has('unit') ? a.get('unit') : undefined;
      return (c) => {
        const copy = structuredClone(c.metric!);
        const s = (g: typeof name, set: (v: string) => void) => {
          const v = g?.(c);
          if (typeof v === 'string') set(v);
        };
        s(name, (v) => (copy.name = v));
        s(desc, (v) => (copy.description = v));
        s(unit, (v) => (copy.unit = v));
        addMetric(c, copy);
        return undefined;
      };
    },
  },
  {
    name: 'scale_metric',
    editor: true,
    contexts: METRIC,
    params: [arg('multiplier', 'float', ['factor']), opt('unit', 'any')],
    build: (a) => {
      const f = a.float('multiplier')!;
      const unit = a.has('unit') ? a.get('unit') : undefined;
      return (c) => {
        const m = c.metric!;
        switch (m.type) {
          case 'gauge':
          case 'sum':
            for (const p of m.dataPoints) {
              p.value = scale(p.value, f);
              for (const e of p.exemplars ?? []) e.value = scale(e.value, f);
            }
            break;
          case 'histogram':
            for (const p of m.dataPoints) {
              if (p.sum !== undefined) p.sum *= f;
              if (p.min !== undefined) p.min *= f;
              if (p.max !== undefined) p.max *= f;
              p.explicitBounds = p.explicitBounds.map((b) => b * f);
              for (const e of p.exemplars ?? []) e.value = scale(e.value, f);
            }
            break;
          case 'summary':
            for (const p of m.dataPoints) {
              p.sum *= f;
              for (const q of p.quantileValues) q.value *= f;
            }
            break;
          case 'empty':
            break;
          default:
            throw new OttlError(`scale_metric: ${m.type} metrics cannot be scaled`);
        }
        const u = unit?.(c);
        if (typeof u === 'string') m.unit = u;
        return undefined;
      };
    },
  },
  {
    name: 'aggregate_on_attributes',
    editor: true,
    contexts: METRIC,
    params: [arg('aggregation_function', 'string', ['function']), opt('attributes', 'strings')],
    build: (a) => {
      const how = aggregation(a, 'aggregation_function');
      const keep = a.strings('attributes');
      const keepSet = keep ? new Set(keep) : undefined;
      return (c) => {
        const m = c.metric!;
        if (m.type === 'empty' || m.type === 'summary') return undefined;
        if (keepSet)
          for (const p of m.dataPoints as { attributes: Attributes }[])
            p.attributes = Object.fromEntries(Object.entries(p.attributes).filter(([k]) => keepSet.has(k)));
        const why = mergePoints(m, how);
        if (why) throw new OttlError(`aggregate_on_attributes: ${why}`);
        return undefined;
      };
    },
  },
  {
    name: 'aggregate_on_attribute_value',
    editor: true,
    contexts: METRIC,
    params: [arg('aggregation_function', 'string', ['function']), arg('attribute', 'string'), arg('values', 'strings'), arg('new_value', 'string')],
    build: (a) => {
      const how = aggregation(a, 'aggregation_function');
      const key = a.str('attribute')!;
      const values = new Set(a.strings('values'));
      const nv = a.str('new_value')!;
      return (c) => {
        const m = c.metric!;
        if (m.type === 'empty' || m.type === 'summary') return undefined;
        let hit = false;
        for (const p of m.dataPoints as { attributes: Attributes }[]) {
          const v = p.attributes[key];
          if (typeof v === 'string' && values.has(v)) {
            p.attributes[key] = nv;
            hit = true;
          }
        }
        if (!hit) return undefined;
        const why = mergePoints(m, how);
        if (why) throw new OttlError(`aggregate_on_attribute_value: ${why}`);
        return undefined;
      };
    },
  },
];

function aggregation(a: Bound, name: string): Aggregation {
  const how = a.str(name)!;
  if (!['sum', 'max', 'min', 'mean', 'median', 'count'].includes(how)) a.fail(name, 'must be sum, max, min, mean, median or count');
  return how as Aggregation;
}
