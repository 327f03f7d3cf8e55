import { s, type Infer } from '../../src/config/schema.js';

// The Collector's metricstransform keys (contrib processor/metricstransformprocessor).
const aggregation = s.enum(['sum', 'mean', 'min', 'max', 'count', 'median'] as const);

const operationSchema = s.object({
  action: s.enum(['add_label', 'update_label', 'delete_label_value', 'toggle_scalar_data_type', 'experimental_scale_value', 'aggregate_labels', 'aggregate_label_values'] as const),
  label: s.string().optional().describe('update_label, delete_label_value, aggregate_label_values: the label'),
  new_label: s.string().optional().describe('add_label: the label to add; update_label: its new name'),
  new_value: s.string().optional().describe('add_label: its value; aggregate_label_values: the value the aggregated ones become'),
  label_value: s.string().optional().describe('delete_label_value: points with this value are removed'),
  label_set: s.array(s.string()).optional().describe('aggregate_labels: the labels kept; the others are aggregated away'),
  aggregated_values: s.array(s.string()).optional().describe('aggregate_label_values: the values merged into new_value'),
  aggregation_type: aggregation.optional(),
  value_actions: s.array(s.object({ value: s.string(), new_value: s.string() })).optional().describe('update_label: value renames'),
  experimental_scale: s.number().optional().describe('experimental_scale_value: the factor'),
});
export type Operation = Infer<typeof operationSchema>;

const transformSchema = s.object({
  include: s.string().optional().describe('metric name (strict) or regexp selecting the metrics'),
  metric_name: s.deprecated(s.string(), 'include'),
  match_type: s.enum(['strict', 'regexp'] as const).default('strict'),
  experimental_match_labels: s.record(s.string()).default({}).describe('only points whose labels match these regexps'),
  action: s.enum(['update', 'insert', 'combine', 'group'] as const),
  new_name: s.string().optional().describe('new metric name; $1 / ${name} refer to regexp groups'),
  group_resource_labels: s.record(s.string()).default({}).describe('group: resource attributes of the new resource'),
  aggregation_type: aggregation.optional().describe('combine: how points with equal labels merge'),
  submatch_case: s.enum(['lower', 'upper'] as const).optional().describe('combine: case of label values made from submatches'),
  operations: s.array(operationSchema).default([]),
});
export type Transform = Infer<typeof transformSchema>;

export const configSchema = s.object({
  transforms: s.array(transformSchema).default([]),
});
export type Config = Infer<typeof configSchema>;
