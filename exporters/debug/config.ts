import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  verbosity: s.enum(['basic', 'normal', 'detailed'] as const).default('basic'),
  sampling_initial: s.int({ min: 0 }).default(2).describe('batches logged per second before sampling starts'),
  sampling_thereafter: s.int({ min: 1 }).default(1).describe('then log every Nth batch'),
  use_internal_logger: s.boolean().default(true),
});

export type Config = Infer<typeof configSchema>;
