import { s, type Infer } from '../../src/config/schema.js';

const target = s.object({
  metric: s.string().describe('gauge or sum to forecast'),
  limit: s.number({ min: 0 }).optional().describe('fixed capacity; otherwise the sum of limit_states'),
  state_attribute: s.string().optional().describe('attribute that splits a resource into states (hostmetrics: state)'),
  usage_states: s.array(s.string()).default(['used']).describe('states that count as used'),
  limit_states: s.array(s.string()).default([]).describe('states summed into the capacity (empty = all states)'),
});

export type Target = Infer<typeof target>;

export const DEFAULT_TARGETS: Target[] = [
  // free is what unprivileged writers can still use (statvfs bavail): full = used + free.
  { metric: 'system.filesystem.usage', limit: undefined, state_attribute: 'state', usage_states: ['used'], limit_states: ['used', 'free'] },
  { metric: 'system.memory.usage', limit: undefined, state_attribute: 'state', usage_states: ['used'], limit_states: [] },
];

export const configSchema = s.object({
  targets: s.array(target).default(() => DEFAULT_TARGETS.map((t) => ({ ...t }))).describe('what to forecast'),
  window: s.duration({ min: 1000 }).default('72h').describe('time constant of the trend fit (longer = steadier, slower to follow a new rate)'),
  horizon: s.duration({ min: 1 }).default('24h').describe('a forecast under this emits a log record (with emit_logs)'),
  min_confidence: s.number({ min: 0, max: 1 }).default(0.5).describe('confidence needed for the horizon log record'),
  min_points: s.int({ min: 3 }).default(10).describe('points per series before time_to_full is emitted'),
  max_series: s.int({ min: 1 }).default(1000).describe('series kept; the least recently seen is evicted beyond this'),
  emit_logs: s.boolean().default(false).describe('publish a log record when a forecast falls under horizon, to logs pipelines holding this processor'),
});

export type Config = Infer<typeof configSchema>;

export function validate(c: Config): string[] {
  return c.targets
    .filter((t) => t.limit === undefined && t.state_attribute === undefined)
    .map((t) => `targets: ${t.metric} needs a limit or a state_attribute (to sum its capacity from states)`);
}
