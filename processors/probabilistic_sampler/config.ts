import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  sampling_percentage: s.number({ min: 0 }).describe('Percentage of traces/logs to keep (0-100)'),
  hash_seed: s.int({ min: 0, max: 0xffffffff }).default(0).describe('Seed of the FNV-1a hash; same seed = same decisions as the Collector'),
  mode: s.enum(['hash_seed'] as const).default('hash_seed').describe('Only the Collector hash_seed mode is implemented'),
  fail_closed: s.boolean().default(true).describe('Drop items that have no trace id / attribute to hash'),
  attribute_source: s.enum(['traceID', 'record'] as const).default('traceID'),
  from_attribute: s.string().optional().describe('Log attribute hashed when attribute_source is record (or trace id is absent)'),
  sampling_priority: s.string().optional().describe('Log attribute holding a per-record sampling percentage'),
  sampling_precision: s.int({ min: 1, max: 14 }).default(4).describe('Accepted for compatibility; unused in hash_seed mode'),
});
export type Config = Infer<typeof configSchema>;
