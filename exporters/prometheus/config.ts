import { s, type Infer } from '../../src/config/schema.js';

// Keys and defaults follow the OpenTelemetry Collector's prometheus exporter.
export const configSchema = s.object({
  endpoint: s.string().default('127.0.0.1:9464').describe('host:port serving /metrics'),
  namespace: s.string().optional().describe('prefix for every metric name'),
  const_labels: s.record(s.string()).default({}).describe('labels added to every series'),
  send_timestamps: s.boolean().default(false).describe('write sample timestamps'),
  metric_expiration: s.duration().default('5m').describe('forget series not updated for this long'),
  resource_to_telemetry_conversion: s.object({
    enabled: s.boolean().default(false).describe('promote resource attributes to labels'),
  }),
  enable_open_metrics: s.boolean().default(false).describe('serve OpenMetrics when the scraper asks for it'),
  add_metric_suffixes: s.boolean().default(true).describe('unit and _total suffixes'),
  target_info: s.object({ enabled: s.boolean().default(true) }),
  delta_temporality: s.enum(['accumulate', 'drop'] as const).default('accumulate').describe('delta sums/histograms'),
});
export type Config = Infer<typeof configSchema>;
