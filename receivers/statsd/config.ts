// Keys follow the Collector's statsd receiver so its configs run unchanged.
import { s, type Infer } from '../../src/config/schema.js';

export const STATSD_TYPES = ['timer', 'timing', 'histogram', 'distribution'] as const;
export const OBSERVER_TYPES = ['gauge', 'summary', 'histogram'] as const;

const mapping = s.object({
  statsd_type: s.enum(STATSD_TYPES),
  observer_type: s.enum(OBSERVER_TYPES).default('histogram'),
  histogram: s.object({ max_size: s.int({ min: 2, max: 16384 }).default(160).describe('Buckets per sign of the exponential histogram') }),
  summary: s.object({ percentiles: s.array(s.number({ min: 0, max: 100 })).default([0, 10, 50, 90, 95, 100]) }),
});
export type Mapping = Infer<typeof mapping>;

export const configSchema = s.object({
  endpoint: s.string().default('127.0.0.1:8125').describe('host:port for udp/tcp, a socket path for unixgram'),
  transport: s.enum(['udp', 'udp4', 'udp6', 'tcp', 'unixgram'] as const).default('udp'),
  aggregation_interval: s.duration({ min: 1 }).default('60s').describe('Aggregate samples over this period, then emit'),
  enable_metric_type: s.boolean().default(false).describe('Add a metric_type attribute (counter, gauge, timing, histogram, distribution, set)'),
  enable_simple_tags: s.boolean().default(false).describe('Accept DogStatsD tags without a value (`#tag`) as attributes with an empty value'),
  is_monotonic_counter: s.boolean().default(false).describe('Mark counter sums as monotonic'),
  max_series: s.int({ min: 1 }).default(100_000).describe('Series kept per interval; samples of further new series are refused and counted (telemd)'),
  socket_mode: s.string().default('0660').describe('unixgram only: permissions of the socket file (octal)'),
  timer_histogram_mapping: s
    .array(mapping)
    .default([
      { statsd_type: 'timing', observer_type: 'histogram', histogram: { max_size: 160 }, summary: { percentiles: [0, 10, 50, 90, 95, 100] } },
      { statsd_type: 'histogram', observer_type: 'histogram', histogram: { max_size: 160 }, summary: { percentiles: [0, 10, 50, 90, 95, 100] } },
      { statsd_type: 'distribution', observer_type: 'histogram', histogram: { max_size: 160 }, summary: { percentiles: [0, 10, 50, 90, 95, 100] } },
    ]),
});

export type Config = Infer<typeof configSchema>;
