import { s, type Infer } from '../../src/config/schema.js';
import { retrySchema, sendingQueueSchema } from '../../src/exporterhelper/index.js';
import { clientTlsSchema } from '../../src/otlp/tls.js';
import { authSchema } from '../../src/auth/auth.js';

export const configSchema = s.object({
  endpoint: s.string().describe('gRPC target host:port (an http:// or https:// prefix is accepted)'),
  tls: clientTlsSchema.describe('TLS to the backend; tls.insecure: true for plaintext'),
  headers: s.record(s.secret(s.string())).default({}).describe('gRPC metadata sent with every request (secret)'),
  compression: s.enum(['gzip', 'none'] as const).default('gzip'),
  timeout: s.duration().default('5s').describe('per attempt'),
  auth: authSchema,
  sending_queue: sendingQueueSchema,
  retry_on_failure: retrySchema,
});

export type Config = Infer<typeof configSchema>;
