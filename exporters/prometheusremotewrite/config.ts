import { s, type Infer } from '../../src/config/schema.js';
import { retrySchema, sendingQueueSchema, timeoutSchema } from '../../src/exporterhelper/config.js';
import { authSchema } from '../../src/auth/auth.js';

// Keys follow the OpenTelemetry Collector's prometheusremotewrite exporter where they exist.
export const configSchema = s.object({
  endpoint: s.string().describe('remote-write URL, e.g. http://127.0.0.1:9090/api/v1/write'),
  headers: s.record(s.secret(s.string())).default({}).describe('extra HTTP headers (cannot override protocol headers)'),
  timeout: timeoutSchema,
  namespace: s.string().optional().describe('prefix for every metric name'),
  external_labels: s.record(s.string()).default({}).describe('labels added to every series'),
  resource_to_telemetry_conversion: s.object({ enabled: s.boolean().default(false) }),
  add_metric_suffixes: s.boolean().default(true),
  send_metadata: s.boolean().default(false).describe('send metric metadata (type, help, unit)'),
  target_info: s.object({ enabled: s.boolean().default(true) }),
  max_batch_size_bytes: s.int({ min: 1024 }).default(3_000_000).describe('split requests above this size'),
  tls: s.object({
    insecure_skip_verify: s.boolean().default(false),
    ca_file: s.string().optional(),
    cert_file: s.string().optional(),
    key_file: s.string().optional(),
  }),
  basic_auth: s
    .object({ username: s.string(), password: s.secret(s.string()) })
    .optional()
    .describe('HTTP basic auth'),
  bearer_token: s.secret(s.string()).optional().describe('sent as Authorization: Bearer'),
  auth: authSchema,
  sending_queue: sendingQueueSchema.describe('num_consumers = number of series shards sent in parallel'),
  remote_write_queue: s
    .object({ enabled: s.boolean().default(true), queue_size: s.int({ min: 1 }).default(10000), num_consumers: s.int({ min: 1 }).default(5) })
    .optional()
    .describe('Collector-compatible alias: overrides sending_queue enabled/queue_size/num_consumers'),
  retry_on_failure: retrySchema,
  delta_temporality: s.enum(['accumulate', 'drop'] as const).default('accumulate'),
  protobuf_message: s
    .enum(['prometheus.WriteRequest', 'io.prometheus.write.v2.Request'] as const)
    .default('prometheus.WriteRequest')
    .describe('Remote-Write 1.0 or 2.0 (2.0 falls back to 1.0 when the receiver answers 415)'),
  stale_markers: s.object({
    enabled: s.boolean().default(true).describe('send the staleness NaN once when a series stops'),
    after: s.duration().default('5m').describe('silence after which a series seen only once is stale'),
    min_after: s.duration().default('10s').describe('never mark a series stale sooner than this'),
  }),
});
export type Config = Infer<typeof configSchema>;
