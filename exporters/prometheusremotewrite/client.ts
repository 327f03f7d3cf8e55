// One remote-write POST, with the status handling Remote-Write 1.0 asks for: 2xx done, 5xx and
// 429 retried (Retry-After honoured), any other 4xx refused for good with the server's message.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ConsumerError } from '../../src/component/consumer.js';
import { parseRetryAfter } from '../../src/otlp/retry.js';
import { loadClientTls } from '../../src/otlp/tls.js';
import { V2_CONTENT_TYPE } from '../../src/prometheus/remotewrite2.js';
import type { Config } from './config.js';
import { USER_AGENT } from '../../src/version.js';
import { applyClientAuth, type ClientAuthenticator } from '../../src/auth/auth.js';

/** The receiver does not speak the message we sent (Remote-Write 2.0 -> fall back to 1.0). */
export class UnsupportedMediaType extends Error {}

const PROTOCOL_HEADERS = ['content-encoding', 'content-type', 'x-prometheus-remote-write-version', 'user-agent', 'content-length'];

export class RemoteWriteClient {
  private url: URL;
  private headers: Record<string, string>;
  private agent: HttpAgent | HttpsAgent;
  /** Set at start when auth.authenticator names an extension. */
  auth?: ClientAuthenticator;

  constructor(cfg: Config) {
    this.url = new URL(cfg.endpoint);
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(cfg.headers)) if (!PROTOCOL_HEADERS.includes(k.toLowerCase())) h[k] = v;
    if (cfg.basic_auth) h.Authorization = `Basic ${Buffer.from(`${cfg.basic_auth.username}:${cfg.basic_auth.password}`).toString('base64')}`;
    if (cfg.bearer_token) h.Authorization = `Bearer ${cfg.bearer_token}`;
    Object.assign(h, {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': USER_AGENT,
    });
    this.headers = h;
    if (this.url.protocol === 'https:') {
      this.agent = new HttpsAgent({
        keepAlive: true,
        rejectUnauthorized: !cfg.tls.insecure_skip_verify,
        // Same loader as the OTLP exporters: a missing file is named in the error.
        ...loadClientTls(cfg.tls),
      });
    } else this.agent = new HttpAgent({ keepAlive: true });
  }

  /** Resolves on 2xx; rejects with a ConsumerError saying whether to retry (or UnsupportedMediaType for v2). */
  send(body: Buffer, abort: AbortSignal, v2 = false): Promise<{ samplesWritten?: number }> {
    const headers: Record<string, string> = { ...applyClientAuth(this.headers, this.auth), 'Content-Length': String(body.length) };
    if (v2) {
      headers['Content-Type'] = V2_CONTENT_TYPE;
      headers['X-Prometheus-Remote-Write-Version'] = '2.0.0';
    }
    const req = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = req(
        this.url,
        { method: 'POST', agent: this.agent, headers, signal: abort },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            // Only the start of an error body is kept for the log line.
            if (size < 1024) chunks.push(c);
            size += c.length;
          });
          res.on('error', (e) => reject(ConsumerError.retryable(`remote-write response: ${e.message}`, { cause: e })));
          res.on('end', () => {
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) {
              const w = res.headers['x-prometheus-remote-write-samples-written'];
              return resolve({ samplesWritten: typeof w === 'string' && /^\d+$/.test(w) ? Number(w) : undefined });
            }
            const msg = Buffer.concat(chunks).toString('utf8').slice(0, 512).trim();
            const text = `remote-write endpoint answered ${code}${msg ? `: ${msg}` : ''}`;
            if (v2 && code === 415) return reject(new UnsupportedMediaType(text));
            if (code >= 500 || code === 429) {
              const ra = parseRetryAfter(res.headers['retry-after'] as string | undefined);
              reject(ConsumerError.retryable(text, { retryAfterMs: ra }));
            } else reject(ConsumerError.permanent(text));
          });
        },
      );
      r.on('error', (e: NodeJS.ErrnoException) =>
        reject(
          abort.aborted
            ? ConsumerError.retryable(`remote-write request aborted: ${String(abort.reason instanceof Error ? abort.reason.message : abort.reason)}`)
            : ConsumerError.retryable(`remote-write request to ${this.url.host} failed: ${e.code ?? e.message}`, { cause: e }),
        ),
      );
      r.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
