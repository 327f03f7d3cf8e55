import { s, type Infer } from '../../src/config/schema.js';
import { retrySchema, sendingQueueSchema } from '../../src/exporterhelper/index.js';
import { clientTlsSchema } from '../../src/otlp/tls.js';
import { authSchema } from '../../src/auth/auth.js';

export const ROUTING_KEYS = ['traceID', 'service', 'resource', 'metric', 'streamID'] as const;
export type RoutingKey = (typeof ROUTING_KEYS)[number];

/** The otlp exporter's settings, for every backend (the resolver gives each its endpoint). */
const otlpSchema = s.object({
  endpoint: s.ignored('each backend\'s endpoint comes from the resolver, as in the Collector'),
  tls: clientTlsSchema.describe('TLS to the backends; tls.insecure: true for plaintext'),
  headers: s.record(s.secret(s.string())).default({}).describe('gRPC metadata sent with every request (secret)'),
  compression: s.enum(['gzip', 'none'] as const).default('gzip'),
  timeout: s.duration().default('5s').describe('per attempt'),
  auth: authSchema,
  sending_queue: sendingQueueSchema.describe('one queue per backend (a persistent one per backend too)'),
  retry_on_failure: retrySchema,
});

export const configSchema = s.object({
  routing_key: s.enum(ROUTING_KEYS).optional().describe('traceID (default for traces and logs), service (default for metrics), resource, metric, streamID'),
  resolver: s.object({
    static: s.presence(s.object({ hostnames: s.array(s.string()).describe('host or host:port (port 4317 when absent)') })),
    dns: s.presence(
      s.object({
        hostname: s.string().describe('resolved to every A/AAAA address it has; each is a backend'),
        port: s.int({ min: 1, max: 65535 }).default(4317),
        interval: s.duration({ min: 1 }).default('5s').describe('how often the name is resolved again'),
        timeout: s.duration({ min: 1 }).default('1s').describe('per resolution'),
      }),
    ),
    k8s: s.ignored('the k8s resolver is not implemented by telemd: use dns (a headless service name) or static'),
    aws_cloud_map: s.ignored('the aws_cloud_map resolver is not implemented by telemd: use dns or static'),
  }),
  protocol: s.object({ otlp: otlpSchema }),
});

export type Config = Infer<typeof configSchema>;
export type OtlpConfig = Config['protocol']['otlp'];

export function validate(cfg: Config): string[] {
  const errs: string[] = [];
  const r = cfg.resolver;
  if (!r.static && !r.dns) errs.push('resolver: give static (hostnames) or dns (hostname)');
  if (r.static && r.dns) errs.push('resolver: static and dns are exclusive: give one');
  if (r.static && r.static.hostnames.length === 0) errs.push('resolver.static.hostnames: must not be empty');
  if (r.dns && r.dns.hostname.trim() === '') errs.push('resolver.dns.hostname: must not be empty');
  return errs;
}
