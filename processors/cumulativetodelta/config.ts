import { s, type Infer } from '../../src/config/schema.js';

const select = () =>
  s
    .object({
      metrics: s.array(s.string()).default([]),
      match_type: s.enum(['strict', 'regexp'] as const).default('strict'),
      metric_types: s.array(s.enum(['sum', 'histogram'] as const)).default([]),
    })
    .optional();

export const configSchema = s.object({
  include: select().describe('Only these metrics are converted (default: all cumulative sums and histograms)'),
  exclude: select(),
  max_staleness: s.duration().default(0).describe('Forget a stream not seen for this long (0 = never)'),
  initial_value: s.enum(['auto', 'keep', 'drop'] as const).default('auto').describe('What to do with the first point of a stream'),
});
export type Config = Infer<typeof configSchema>;
