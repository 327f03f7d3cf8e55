import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  threshold: s.number({ min: 0, max: 1 }).default(0.9).describe('score at or above which a point is anomalous'),
  mode: s.enum(['tag_all', 'tag_anomalous'] as const).default('tag_all').describe('tag every scored point, or only anomalous ones'),
  include: s.array(s.string()).default([]).describe('metric name globs to score (empty = every gauge and sum)'),
  exclude: s.array(s.string()).default([]).describe('metric name globs never scored'),
  max_series: s.int({ min: 1 }).default(2000).describe('series kept; the least recently seen is evicted beyond this'),
  warmup: s.int({ min: 0 }).default(30).describe('points per series before it is tagged'),
  suppress_points: s.int({ min: 0 }).default(150).describe('points after an onset during which the series scores are halved (one alert per incident)'),
  emit_logs: s.boolean().default(false).describe('publish a log record per anomaly onset to logs pipelines that contain this processor'),
});

export type Config = Infer<typeof configSchema>;
