import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  storage: s.string().optional().describe('file_storage extension id that keeps templates (and their ids) across restarts'),
  max_templates: s.int({ min: 1 }).default(5000).describe('templates kept; the least recently seen is evicted beyond this'),
  similarity: s.number({ min: 0, max: 1 }).default(0.5).describe('share of equal tokens for a message to join a template'),
  depth: s.int({ min: 2, max: 10 }).default(4).describe('parse tree depth (Drain): routes by length and the first depth-2 tokens'),
  max_children: s.int({ min: 1 }).default(100).describe('children per tree node before new tokens share a wildcard branch'),
  warmup: s.duration().default('10m').describe('time after the first record (without saved templates) during which new templates are not anomalies'),
  rate_window: s.duration({ min: 1 }).default('1m').describe('bucket in which template rates are counted'),
  rate_factor: s.number({ min: 1 }).default(10).describe('a bucket count this many times the learnt mean is a rate jump'),
  rate_min_count: s.int({ min: 1 }).default(20).describe('smallest bucket count that can be a rate jump'),
  emit_counts: s.boolean().default(false).describe('publish log.template.count to metrics pipelines that contain this processor'),
  count_interval: s.duration({ min: 1 }).default('60s').describe('interval of log.template.count'),
  save_interval: s.duration({ min: 1 }).default('30s').describe('how often changed templates are written to storage'),
});

export type Config = Infer<typeof configSchema>;
