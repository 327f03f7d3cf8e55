import { s, type Infer } from '../../src/config/schema.js';
import { serverTlsSchema } from '../../src/otlp/tls.js';
import { parseEndpoint } from '../../src/util/endpoint.js';
import { checkHttpLimits, httpLimitsKeys } from '../../src/net/http-server.js';
import { grpcLimitsKeys } from '../../src/net/grpc-server.js';
import { corsSchema, validateCors } from './cors.js';


const endpoint = (def: string) =>
  s.refine(s.string().default(def), (v) => (parseEndpoint(v) ? undefined : `invalid endpoint "${v}" (use host:port)`));

const authSchema = s
  .object({
    bearer_token: s.secret(s.string()).optional().describe('require "Authorization: Bearer <token>"'),
    bearer_token_file: s.string().optional().describe('read the token from this file instead'),
    authenticator: s.string().optional().describe('id of an authenticator extension (bearertokenauth, basicauth) listed under service.extensions'),
  })
  .optional()
  .describe('bearer-token authentication of clients');

// The Collector puts the client's headers/metadata into the request context for processors and
// exporters that read it (batch metadata_keys, attributes/resource from_context, headers_setter
// from_context). telemd does not carry client metadata through its pipelines, so true is refused
// at its position rather than accepted and ignored; false (the Collector's default) is what telemd does.
const includeMetadata = s
  .refine(s.boolean().default(false), (v) =>
    v ? 'include_metadata: true is not supported: telemd does not carry client metadata (headers) into the pipeline, so no processor or exporter could read it; remove the key or set it to false' : undefined,
  )
  .describe('must be false: client metadata is not carried into the pipeline (true is refused)');

const grpcSchema = s.presence(
  s.object({
    endpoint: endpoint('127.0.0.1:4317').describe('listen address'),
    max_recv_msg_size_mib: s.int({ min: 1 }).default(4).describe('largest request accepted, in MiB'),
    max_concurrent_streams: s.int({ min: 1 }).default(100),
    ...grpcLimitsKeys,
    include_metadata: includeMetadata,
    tls: serverTlsSchema,
    auth: authSchema,
  }),
).describe('OTLP/gRPC server (omit to disable)');

const httpSchema = s.presence(
  s.object({
    endpoint: endpoint('127.0.0.1:4318').describe('listen address'),
    max_request_body_size: s.size().default('20MiB').describe('larger bodies (compressed or not) get 413'),
    traces_url_path: s.string().default('/v1/traces'),
    metrics_url_path: s.string().default('/v1/metrics'),
    logs_url_path: s.string().default('/v1/logs'),
    ...httpLimitsKeys,
    include_metadata: includeMetadata,
    cors: corsSchema,
    tls: serverTlsSchema,
    auth: authSchema,
  }),
).describe('OTLP/HTTP server (omit to disable)');

export const configSchema = s.object({
  protocols: s.object({ grpc: grpcSchema, http: httpSchema }).describe('at least one of grpc, http'),
  retry_after: s.duration().default('1s').describe('Retry-After / RetryInfo hint sent when the pipeline is full'),
  max_concurrent_requests: s
    .int({ min: 1 })
    // Generous: a batch processor legitimately holds many small requests at once; memory is
    // guarded by memory_limiter, this bounds what one receiver can pile up behind a stall.
    .default(256)
    .describe('requests (gRPC + HTTP) whose batch the pipeline may hold at once; more get 503 / UNAVAILABLE'),
  // Named after the otelarrow receiver's admission.request_limit_mib.
  admission: s
    .object({
      request_limit_mib: s
        .number({ min: 1 })
        .default(32)
        .describe('estimated memory (MiB) of requests being read, decoded or held by the pipeline at once; more get 503 / UNAVAILABLE'),
      // telemd key: the CPU side of admission (the byte budget is the memory side).
      max_queue_wait: s
        .duration()
        .default('300ms')
        .describe('requests are decoded in event-loop turns, oldest first; when what waits would keep a new request waiting longer than this (the process is out of CPU), it gets 503 / UNAVAILABLE before its body is read (and one that still waited twice as long, before it is decoded); 0 = decode at once, no such refusal'),
    })
    .describe('byte budget for data in flight'),
});

export type Config = Infer<typeof configSchema>;
export type GrpcConfig = NonNullable<Config['protocols']['grpc']>;
export type HttpConfig = NonNullable<Config['protocols']['http']>;
export type AuthConfig = NonNullable<GrpcConfig['auth']>;

export function validate(cfg: Config): string[] {
  const out: string[] = [];
  if (!cfg.protocols.grpc && !cfg.protocols.http) out.push('protocols: enable at least one of grpc, http');
  for (const p of [cfg.protocols.grpc, cfg.protocols.http])
    if (p?.auth?.authenticator && (p.auth.bearer_token || p.auth.bearer_token_file))
      out.push('auth: set authenticator or bearer_token / bearer_token_file, not both');
    else if (p?.auth && !p.auth.authenticator && !p.auth.bearer_token && !p.auth.bearer_token_file) out.push('auth: set authenticator, bearer_token or bearer_token_file');
  const limits = cfg.protocols.http && checkHttpLimits(cfg.protocols.http);
  if (limits) out.push(`protocols.http.${limits}`);
  for (const e of validateCors(cfg.protocols.http?.cors)) out.push(`protocols.http.${e}`);
  return out;
}
