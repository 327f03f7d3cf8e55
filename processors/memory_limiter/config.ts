import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  check_interval: s.duration({ min: 1 }).default('1s').describe('How often memory is measured'),
  limit_mib: s.int({ min: 0 }).default(0).describe('Hard limit on process RSS in MiB'),
  ballast_size_mib: s.ignored('Node.js needs no memory ballast (the Collector removed it in v0.91)'),
  spike_limit_mib: s.int({ min: 0 }).default(0).describe('Headroom below the hard limit; soft limit = limit - spike (default 20% of limit)'),
  limit_percentage: s.int({ min: 0, max: 100 }).default(0).describe('Hard limit as % of total memory (cgroup limit if set)'),
  spike_limit_percentage: s.int({ min: 0, max: 100 }).default(0).describe('Spike headroom as % of total memory'),
  min_gc_interval_when_soft_limited: s.duration().default('10s').describe('Least time between forced GCs above the soft limit'),
  min_gc_interval_when_hard_limited: s.duration().default('0s').describe('Least time between forced GCs above the hard limit'),
});
export type Config = Infer<typeof configSchema>;
