// HTTP POST of one encoded export request with keep-alive, TLS options and OTLP error mapping.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ConsumerError } from '../../src/component/consumer.js';
import { decodeStatus, decodeStatusJson, httpError } from '../../src/otlp/index.js';
import { loadClientTls, tlsMinVersion, type ClientTls } from '../../src/otlp/tls.js';
import { USER_AGENT } from '../../src/version.js';
import { applyClientAuth, type ClientAuthenticator } from '../../src/auth/auth.js';

const MAX_RESPONSE = 1024 * 1024;

export class OtlpHttpClient {
  private httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  private httpsAgent: HttpsAgent;
  /** Set at start when auth.authenticator names an extension. */
  auth?: ClientAuthenticator;

  constructor(
    tls: ClientTls,
    private headers: Record<string, string>,
  ) {
    const m = loadClientTls(tls);
    this.httpsAgent = new HttpsAgent({
      keepAlive: true, maxSockets: 16, ca: m.ca, cert: m.cert, key: m.key,
      rejectUnauthorized: !tls.insecure_skip_verify, servername: tls.server_name_override,
      minVersion: tlsMinVersion(tls.min_version),
    });
  }

  /** POST; resolves with the response body of a 2xx, rejects with a classified ConsumerError. */
  post(url: string, body: Uint8Array, contentType: string, gzipped: boolean, abort: AbortSignal): Promise<Buffer> {
    const u = new URL(url);
    const https = u.protocol === 'https:';
    const headers: Record<string, string> = {
      ...applyClientAuth(this.headers, this.auth),
      'content-type': contentType,
      'content-length': String(body.length),
      'user-agent': USER_AGENT,
    };
    if (gzipped) headers['content-encoding'] = 'gzip';
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        u,
        { method: 'POST', headers, agent: https ? this.httpsAgent : this.httpAgent, signal: abort },
        (res) => void this.onResponse(res, contentType).then(resolve, reject),
      );
      req.on('error', (e) => reject(ConsumerError.retryable(`POST ${u.origin}${u.pathname}: ${e.message}`, { cause: e })));
      req.end(body);
    });
  }

  private async onResponse(res: IncomingMessage, contentType: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res as AsyncIterable<Buffer>) {
      size += c.length;
      if (size <= MAX_RESPONSE) chunks.push(c);
    }
    const body = Buffer.concat(chunks);
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return body;
    throw httpError(status, this.errorMessage(body, res.headers['content-type'] ?? contentType), headerOf(res, 'retry-after'));
  }

  /** The google.rpc.Status message of an error body when readable, else a short sample. */
  private errorMessage(body: Buffer, ct: string): string {
    try {
      if (ct.includes('protobuf')) return decodeStatus(body).message || '(empty status)';
      if (ct.includes('json')) return decodeStatusJson(body.toString('utf8')).message || body.toString('utf8').slice(0, 200);
    } catch {
      // Not a Status: fall through to the raw sample.
    }
    return body.toString('utf8').slice(0, 200) || '(empty body)';
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function headerOf(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
