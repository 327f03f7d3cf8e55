import { s, type Infer } from '../../src/config/schema.js';
import { retrySchema, sendingQueueSchema } from '../../src/exporterhelper/index.js';
import { clientTlsSchema } from '../../src/otlp/tls.js';
import { authSchema } from '../../src/auth/auth.js';

const url = s.refine(s.string(), (v) => (/^https?:\/\/[^/]+/.test(v) ? undefined : `"${v}" is not an http:// or https:// URL`));

export const configSchema = s.object({
  endpoint: url.optional().describe('base URL; /v1/traces, /v1/metrics, /v1/logs are appended'),
  traces_endpoint: url.optional().describe('full URL for traces (overrides endpoint)'),
  metrics_endpoint: url.optional().describe('full URL for metrics (overrides endpoint)'),
  logs_endpoint: url.optional().describe('full URL for logs (overrides endpoint)'),
  encoding: s.enum(['proto', 'json'] as const).default('proto'),
  tls: clientTlsSchema,
  headers: s.record(s.secret(s.string())).default({}).describe('HTTP headers sent with every request (secret)'),
  compression: s.enum(['gzip', 'none'] as const).default('gzip'),
  timeout: s.duration().default('30s').describe('per attempt'),
  auth: authSchema,
  sending_queue: sendingQueueSchema,
  retry_on_failure: retrySchema,
});

export type Config = Infer<typeof configSchema>;

export function validate(cfg: Config): string[] {
  if (cfg.endpoint || cfg.traces_endpoint || cfg.metrics_endpoint || cfg.logs_endpoint) return [];
  return ['endpoint: set endpoint (or traces_endpoint / metrics_endpoint / logs_endpoint)'];
}

export function signalUrl(cfg: Config, signal: 'traces' | 'metrics' | 'logs'): string | undefined {
  const own = signal === 'traces' ? cfg.traces_endpoint : signal === 'metrics' ? cfg.metrics_endpoint : cfg.logs_endpoint;
  if (own) return own;
  if (!cfg.endpoint) return undefined;
  return `${cfg.endpoint.replace(/\/+$/, '')}/v1/${signal}`;
}
