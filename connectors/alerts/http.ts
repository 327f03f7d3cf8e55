// One small HTTP(S) client for Alertmanager and webhook requests: Prometheus' http_config
// subset (timeout, basic_auth, authorization, tls_config), credentials read from files and
// re-read when the files change. Credentials are never logged.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { SecretFile } from '../../src/auth/secret-file.js';
import { USER_AGENT } from '../../src/version.js';
import type { HttpClientConfig } from './config.js';

export interface HttpResult {
  status: number;
  body: string;
}

export class HttpError extends Error {
  constructor(
    message: string,
    /** Worth retrying (network error, timeout, 5xx, 429). */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

function read(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read tls_config.${what} ${path}: ${(e as Error).message}`);
  }
}

export class HttpClient {
  private readonly agents = new Map<string, HttpAgent | HttpsAgent>();
  private readonly passwordFile?: SecretFile;
  private readonly credentialsFile?: SecretFile;

  constructor(private readonly cfg: HttpClientConfig) {
    if (cfg.basic_auth?.password_file) this.passwordFile = new SecretFile(cfg.basic_auth.password_file);
    if (cfg.authorization?.credentials_file) this.credentialsFile = new SecretFile(cfg.authorization.credentials_file);
  }

  private agent(url: URL): HttpAgent | HttpsAgent {
    const key = url.protocol;
    let a = this.agents.get(key);
    if (!a) {
      const t = this.cfg.tls_config;
      a =
        url.protocol === 'https:'
          ? new HttpsAgent({
              keepAlive: true,
              maxSockets: 4,
              rejectUnauthorized: !t.insecure_skip_verify,
              ca: read(t.ca_file, 'ca_file'),
              cert: read(t.cert_file, 'cert_file'),
              key: read(t.key_file, 'key_file'),
              servername: t.server_name,
              minVersion: t.min_version === 'TLS13' ? 'TLSv1.3' : 'TLSv1.2',
            })
          : new HttpAgent({ keepAlive: true, maxSockets: 4 });
      this.agents.set(key, a);
    }
    return a;
  }

  private authHeader(): string | undefined {
    const b = this.cfg.basic_auth;
    if (b) {
      const pw = this.passwordFile ? this.passwordFile.get() : (b.password ?? '');
      return `Basic ${Buffer.from(`${b.username}:${pw}`).toString('base64')}`;
    }
    const a = this.cfg.authorization;
    if (a) {
      const cred = this.credentialsFile ? this.credentialsFile.get() : (a.credentials ?? '');
      return `${a.type} ${cred}`;
    }
    return undefined;
  }

  /** Sends one request; rejects with HttpError (retryable or not). */
  request(method: 'GET' | 'POST' | 'DELETE', url: URL, body?: unknown, signal?: AbortSignal): Promise<HttpResult> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: 'application/json' };
    if (data) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(data.length);
    }
    const auth = this.authHeader();
    if (auth) headers.Authorization = auth;
    const req = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = req(url, { method, headers, agent: this.agent(url), timeout: this.cfg.timeout, signal }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (text.length < 64 * 1024) text += c;
        });
        res.on('error', (e) => reject(new HttpError(e.message, true)));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return resolve({ status: code, body: text });
          const msg = `${method} ${redactUrl(url)}: HTTP ${code}${text ? `: ${text.trim().slice(0, 300)}` : ''}`;
          reject(new HttpError(msg, code >= 500 || code === 429 || code === 408, code));
        });
      });
      r.on('timeout', () => r.destroy(new Error(`timed out after ${this.cfg.timeout} ms`)));
      r.on('error', (e: NodeJS.ErrnoException) => reject(new HttpError(`${method} ${redactUrl(url)}: ${e.code ?? e.message}`, true)));
      r.end(data);
    });
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

/** A URL for logs and the API: user info removed. */
export function redactUrl(u: URL | string): string {
  const url = typeof u === 'string' ? new URL(u) : new URL(u.href);
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
  }
  return url.href.replace(/\/$/, '');
}

/** An endpoint as written (`host:port` or a URL) as a URL with the API path prefix. */
export function baseUrl(endpoint: string, pathPrefix: string): URL {
  const u = new URL(/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`);
  const prefix = `${u.pathname.replace(/\/$/, '')}${pathPrefix ? `/${pathPrefix.replace(/^\/|\/$/g, '')}` : ''}`;
  u.pathname = prefix || '/';
  return u;
}

export function join(base: URL, path: string): URL {
  const u = new URL(base.href);
  u.pathname = `${base.pathname.replace(/\/$/, '')}${path}`;
  return u;
}
