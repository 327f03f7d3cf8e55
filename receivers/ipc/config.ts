import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  collection_interval: s.duration({ min: 1 }).default('10s').describe('How often to read the kernel tables'),
  initial_delay: s.duration().default(0).describe('Delay before the first collection'),
  root_path: s.string().default('').describe('Host root when running in a container, e.g. /hostfs'),
  max_objects: s.int({ min: 0 }).default(200).describe('Per-object series (message queues, shm segments) beyond this count are reported in totals only'),
  count_pipes: s.boolean().default(false).describe('Count pipes by scanning /proc/<pid>/fd (costs one readdir+readlink per fd)'),
  metrics: s.record(s.object({ enabled: s.boolean().optional() })).default({}).describe('Per-metric switches: `<metric>: {enabled: bool}`'),
});

export type Config = Infer<typeof configSchema>;
