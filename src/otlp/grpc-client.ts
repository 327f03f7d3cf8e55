// A small gRPC client for the three OTLP Export methods, sending pre-encoded bytes (the otlp
// exporter and the loadbalancing exporter's per-backend senders).
import type * as Grpc from '@grpc/grpc-js';
import type { Signal } from '../pdata/types.js';
import { decodeStatus, grpcError } from './index.js';
import { loadClientTls, type ClientTls } from './tls.js';
import { SERVICE_PATHS } from './grpc-module.js';
import { ConsumerError } from '../component/consumer.js';
import { applyClientAuth, type ClientAuthenticator } from '../auth/auth.js';

const identity = (b: Buffer) => b;

export function grpcTarget(endpoint: string, tls: ClientTls): { target: string; insecure: boolean } {
  const m = /^(https?):\/\/(.*?)\/?$/.exec(endpoint.trim());
  if (m) return { target: m[2]!, insecure: m[1] === 'http' || tls.insecure };
  return { target: endpoint.trim(), insecure: tls.insecure };
}

export class OtlpGrpcClient {
  private client: Grpc.Client;
  private metadata: Grpc.Metadata;
  /** Set at start when auth.authenticator names an extension. */
  auth?: ClientAuthenticator;

  /** `grpc` is @grpc/grpc-js, loaded by the exporter's start (see src/otlp/grpc-module.ts). */
  constructor(grpc: typeof Grpc, endpoint: string, tls: ClientTls, headers: Record<string, string>, gzip: boolean) {
    this.metadata = new grpc.Metadata();
    const { target, insecure } = grpcTarget(endpoint, tls);
    let creds: Grpc.ChannelCredentials;
    if (insecure) creds = grpc.credentials.createInsecure();
    else {
      const m = loadClientTls(tls);
      creds = grpc.credentials.createSsl(m.ca ?? null, m.key ?? null, m.cert ?? null, {
        rejectUnauthorized: !tls.insecure_skip_verify,
        ...(tls.insecure_skip_verify ? { checkServerIdentity: () => undefined } : {}),
      });
    }
    const opts: Grpc.ClientOptions = {
      'grpc.max_send_message_length': -1,
      'grpc.keepalive_time_ms': 30_000,
      // grpc-js backs reconnects off up to 120 s and fails calls fast meanwhile: after an
      // outage, delivery would wait for that timer whatever our retries do. Reconnect at least
      // every second (a TCP connect), as the senders probe (retry_on_failure.probe_interval).
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 1000,
    };
    if (gzip) opts['grpc.default_compression_algorithm'] = 2;
    if (tls.server_name_override) opts['grpc.ssl_target_name_override'] = tls.server_name_override;
    this.client = new grpc.Client(target, creds, opts);
    for (const [k, v] of Object.entries(headers)) this.metadata.set(k.toLowerCase(), v);
  }

  /** Export bytes; resolves with the response bytes or rejects with a classified ConsumerError. */
  export(signal: Signal, body: Uint8Array, timeoutMs: number, abort: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (abort.aborted) {
        reject(ConsumerError.retryable('export aborted'));
        return;
      }
      const call = this.client.makeUnaryRequest(
        SERVICE_PATHS[signal],
        identity,
        identity,
        Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        this.callMetadata(),
        { deadline: timeoutMs > 0 ? Date.now() + timeoutMs : Infinity },
        (err, res) => {
          abort.removeEventListener('abort', onAbort);
          if (!err) {
            resolve(res ?? Buffer.alloc(0));
            return;
          }
          let delay: number | undefined;
          const details = err.metadata?.get('grpc-status-details-bin')[0];
          if (details instanceof Buffer) {
            try {
              delay = decodeStatus(details).retryDelayMs;
            } catch {
              // A malformed details blob does not change the classification by code.
            }
          }
          reject(grpcError(err.code, err.details || err.message, delay));
        },
      );
      const onAbort = () => call.cancel();
      abort.addEventListener('abort', onAbort, { once: true });
    });
  }

  private callMetadata(): Grpc.Metadata {
    const md = this.metadata.clone();
    if (!this.auth) return md;
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(md.getMap())) base[k] = String(v);
    const out = new Map(Object.entries(applyClientAuth(base, this.auth)).map(([k, v]) => [k.toLowerCase(), v]));
    for (const k of Object.keys(base)) if (!out.has(k)) md.remove(k);
    for (const [k, v] of out) md.set(k, v);
    return md;
  }

  close(): void {
    this.client.close();
  }
}
