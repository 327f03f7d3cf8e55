// The operations of one transform, applied to one metric's points.
import type { AnyValue, Metric } from '../../src/pdata/types.js';
import type { DataPoint } from '../../src/processorhelper/iterate.js';
import { valueToString } from '../../src/processorhelper/value.js';
import { mergePoints, type Aggregation } from '../../src/processorhelper/aggregate.js';
import type { Operation } from './config.js';

/** Applies in place; returns problems to log (an operation that could not apply is skipped). */
export type OperationFn = (m: Metric) => string | undefined;

function points(m: Metric): DataPoint[] {
  return m.type === 'empty' ? [] : (m.dataPoints as DataPoint[]);
}

function scaleNumber(v: number | bigint, f: number): number | bigint {
  return typeof v === 'bigint' ? BigInt(Math.trunc(Number(v) * f)) : v * f;
}

export function compileOperation(op: Operation): OperationFn {
  switch (op.action) {
    case 'add_label': {
      const key = op.new_label!;
      const value: AnyValue = op.new_value ?? '';
      return (m) => {
        for (const p of points(m)) if (!(key in p.attributes)) p.attributes[key] = value;
        return undefined;
      };
    }
    case 'update_label': {
      const label = op.label!;
      const rename = op.new_label;
      const values = new Map((op.value_actions ?? []).map((a) => [a.value, a.new_value]));
      return (m) => {
        const ps = points(m);
        // A rename onto a label some point already has would merge two labels: skip it, as the Collector does.
        if (rename && rename !== label && ps.some((p) => rename in p.attributes && label in p.attributes))
          return `update_label: "${rename}" already exists on ${m.name}; label "${label}" not renamed`;
        for (const p of ps) {
          if (!(label in p.attributes)) continue;
          const v = p.attributes[label]!;
          const nv = values.get(valueToString(v));
          if (nv !== undefined) p.attributes[label] = nv;
          if (rename && rename !== label) {
            p.attributes[rename] = p.attributes[label]!;
            delete p.attributes[label];
          }
        }
        return undefined;
      };
    }
    case 'delete_label_value': {
      const label = op.label!;
      const value = op.label_value!;
      return (m) => {
        if (m.type === 'empty') return undefined;
        (m as { dataPoints: DataPoint[] }).dataPoints = points(m).filter((p) => !(label in p.attributes && valueToString(p.attributes[label]) === value));
        return undefined;
      };
    }
    case 'toggle_scalar_data_type':
      return (m) => {
        if (m.type !== 'gauge' && m.type !== 'sum') return undefined;
        for (const p of m.dataPoints) p.value = typeof p.value === 'bigint' ? Number(p.value) : BigInt(Math.trunc(p.value));
        return undefined;
      };
    case 'experimental_scale_value': {
      const f = op.experimental_scale!;
      return (m) => {
        switch (m.type) {
          case 'gauge':
          case 'sum':
            for (const p of m.dataPoints) p.value = scaleNumber(p.value, f);
            break;
          case 'histogram':
            for (const p of m.dataPoints) {
              if (p.sum !== undefined) p.sum *= f;
              if (p.min !== undefined) p.min *= f;
              if (p.max !== undefined) p.max *= f;
              p.explicitBounds = p.explicitBounds.map((b) => b * f);
            }
            break;
          case 'summary':
            for (const p of m.dataPoints) {
              p.sum *= f;
              for (const q of p.quantileValues) q.value *= f;
            }
            break;
          case 'exponentialHistogram':
            return `experimental_scale_value: exponential histogram ${m.name} cannot be scaled`;
        }
        return undefined;
      };
    }
    case 'aggregate_labels': {
      const keep = new Set(op.label_set ?? []);
      const how = op.aggregation_type as Aggregation;
      return (m) => {
        const ps = points(m);
        const before = ps.map((p) => p.attributes);
        for (const p of ps) p.attributes = Object.fromEntries(Object.entries(p.attributes).filter(([k]) => keep.has(k)));
        const why = mergePoints(m, how);
        if (why) ps.forEach((p, i) => (p.attributes = before[i]!));
        return why && `aggregate_labels on ${m.name}: ${why}`;
      };
    }
    case 'aggregate_label_values': {
      const label = op.label!;
      const from = new Set(op.aggregated_values ?? []);
      const to = op.new_value!;
      const how = op.aggregation_type as Aggregation;
      return (m) => {
        const ps = points(m);
        const before = ps.map((p) => p.attributes[label]);
        for (const p of ps) if (label in p.attributes && from.has(valueToString(p.attributes[label]))) p.attributes[label] = to;
        const why = mergePoints(m, how);
        if (why) ps.forEach((p, i) => before[i] !== undefined && (p.attributes[label] = before[i]!));
        return why && `aggregate_label_values on ${m.name}: ${why}`;
      };
    }
  }
}

/** Cross-field checks of one operation (messages name it by index). */
export function operationErrors(op: Operation, at: string): string[] {
  const need = (keys: (keyof Operation)[]) => keys.filter((k) => op[k] === undefined).map((k) => `${at} (${op.action}): "${k}" is required`);
  switch (op.action) {
    case 'add_label':
      return need(['new_label', 'new_value']);
    case 'update_label':
      return [...need(['label']), ...(op.new_label === undefined && !op.value_actions?.length ? [`${at} (update_label): set new_label or value_actions`] : [])];
    case 'delete_label_value':
      return need(['label', 'label_value']);
    case 'experimental_scale_value':
      return need(['experimental_scale']);
    case 'aggregate_labels':
      return need(['label_set', 'aggregation_type']);
    case 'aggregate_label_values':
      return need(['label', 'aggregated_values', 'new_value', 'aggregation_type']);
    default:
      return [];
  }
}
