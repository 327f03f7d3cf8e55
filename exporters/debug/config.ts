import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  verbosity: s.enum(['basic', 'normal', 'detailed'] as const).default('basic'),
  sampling_initial: s.int({ min: 0 }).default(2).describe('batches logged per second before sampling starts'),
  sampling_thereafter: s.int({ min: 1 }).default(1).describe('then log every Nth batch'),
  use_internal_logger: s.boolean().default(true),
  // The removed `logging` exporter's key (the `logging` type loads as debug): debug -> detailed,
  // info -> normal, warn/error -> basic, as the Collector mapped it.
  loglevel: s.deprecated(s.enum(['debug', 'info', 'warn', 'error'] as const), 'verbosity (debug = detailed, info = normal)'),
});

export function effectiveVerbosity(cfg: Config): Config['verbosity'] {
  if (cfg.loglevel === 'debug') return 'detailed';
  if (cfg.loglevel === 'info') return 'normal';
  if (cfg.loglevel) return 'basic';
  return cfg.verbosity;
}

export type Config = Infer<typeof configSchema>;
