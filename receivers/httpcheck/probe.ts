// One HTTP probe: a fresh connection (no keep-alive, so DNS, connect and TLS are measured every
// time), phase timings from the socket's events, redirects followed by hand (timings add up over
// the hops), the body read up to a bound and checked, the certificate's expiry read even when
// verification fails (it is verified after the handshake, not by aborting it).
import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket, PeerCertificate, SecureVersion } from 'node:tls';
import type { Socket } from 'node:net';

export interface ResolvedTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  skipVerify: boolean;
  minVersion: SecureVersion;
}

export interface ProbeSpec {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  tls: ResolvedTls;
  followRedirects: boolean;
  maxRedirects: number;
  maxBody: number;
}

export interface Phases {
  dns: number;
  connect: number;
  tls: number;
  request: number;
  firstByte: number;
  transfer: number;
}

export interface CertInfo {
  /** ms since the epoch. */
  notAfter: number;
  issuer: string;
  cn: string;
  san: string;
}

export interface HttpOutcome {
  /** The final response's status; 0 when there was none. */
  status: number;
  /** Why no (complete) response arrived, or why the TLS peer was refused. */
  error?: string;
  phases: Phases;
  totalMs: number;
  bodySize: number;
  /** The first max_body bytes of the final body. */
  body: Buffer;
  cert?: CertInfo;
  redirects: number;
  finalUrl: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

class ProbeTimeout extends Error {}

export async function probeHttp(spec: ProbeSpec, signal: AbortSignal, now: () => number = () => performance.now()): Promise<HttpOutcome> {
  const start = now();
  const deadline = start + spec.timeoutMs;
  const phases: Phases = { dns: 0, connect: 0, tls: 0, request: 0, firstByte: 0, transfer: 0 };
  let url = spec.url;
  let method = spec.method;
  let body = spec.body;
  let cert: CertInfo | undefined;
  for (let hop = 0; ; hop++) {
    const r = await oneHop(url, method, body, spec, deadline, signal, now);
    for (const k of Object.keys(phases) as (keyof Phases)[]) phases[k] += r.phases[k];
    if (r.cert) cert = r.cert;
    const base = { phases, totalMs: now() - start, cert, redirects: hop, finalUrl: url.href };
    if (r.error !== undefined) return { ...base, status: r.status, error: r.error, bodySize: r.bodySize, body: r.body };
    const loc = r.location;
    if (spec.followRedirects && REDIRECTS.has(r.status) && loc !== undefined) {
      if (hop >= spec.maxRedirects) return { ...base, status: r.status, error: `stopped after ${spec.maxRedirects} redirects`, bodySize: r.bodySize, body: r.body };
      let next: URL;
      try {
        next = new URL(loc, url);
      } catch {
        return { ...base, status: r.status, error: `redirect to an invalid Location ${JSON.stringify(loc.slice(0, 200))}`, bodySize: r.bodySize, body: r.body };
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        return { ...base, status: r.status, error: `redirect to unsupported scheme ${next.protocol}`, bodySize: r.bodySize, body: r.body };
      // As Go's client: 303 (and 301/302 of a non-GET) continue as GET without a body.
      if (r.status === 303 || ((r.status === 301 || r.status === 302) && method !== 'GET' && method !== 'HEAD')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
      url = next;
      continue;
    }
    return { ...base, status: r.status, bodySize: r.bodySize, body: r.body };
  }
}

interface Hop {
  status: number;
  error?: string;
  phases: Phases;
  cert?: CertInfo;
  location?: string;
  bodySize: number;
  body: Buffer;
}

function oneHop(url: URL, method: string, body: string | undefined, spec: ProbeSpec, deadline: number, signal: AbortSignal, now: () => number): Promise<Hop> {
  return new Promise<Hop>((resolve) => {
    const t0 = now();
    let tLookup: number | undefined;
    let tConnect: number | undefined;
    let tSecure: number | undefined;
    let tWritten: number | undefined;
    let tFirst: number | undefined;
    let status = 0;
    let cert: CertInfo | undefined;
    let tlsRefusal: string | undefined;
    let location: string | undefined;
    let size = 0;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let stage = 'connecting';
    let settled = false;

    const phases = (end: number): Phases => {
      const connected = tConnect ?? end;
      const ready = tSecure ?? connected;
      const written = tWritten ?? ready;
      return {
        dns: tLookup !== undefined ? tLookup - t0 : 0,
        connect: tConnect !== undefined ? tConnect - (tLookup ?? t0) : end - (tLookup ?? t0),
        tls: tSecure !== undefined ? tSecure - connected : url.protocol === 'https:' && tConnect !== undefined && tWritten === undefined ? end - connected : 0,
        request: tWritten !== undefined ? Math.max(0, tWritten - ready) : 0,
        firstByte: tFirst !== undefined ? Math.max(0, tFirst - written) : tWritten !== undefined ? end - written : 0,
        transfer: tFirst !== undefined ? end - tFirst : 0,
      };
    };
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      const end = now();
      resolve({ status, error: tlsRefusal ?? error, phases: phases(end), cert, location, bodySize: size, body: Buffer.concat(kept) });
    };

    const https = url.protocol === 'https:';
    const headers: Record<string, string> = { 'user-agent': 'telemd-httpcheck', ...spec.headers };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const common = { method, headers, agent: false as const, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (https ? 443 : 80), path: url.pathname + url.search };
    let req: ClientRequest;
    try {
      req = https
        ? httpsRequest({
            ...common,
            ca: spec.tls.ca,
            cert: spec.tls.cert,
            key: spec.tls.key,
            servername: spec.tls.servername ?? (isIp(url.hostname) ? undefined : url.hostname),
            minVersion: spec.tls.minVersion,
            // Verified below, after the handshake, so the certificate (and its expiry) is seen either way.
            rejectUnauthorized: false,
          })
        : httpRequest(common);
    } catch (e) {
      resolve({ status: 0, error: (e as Error).message, phases: phases(now()), bodySize: 0, body: Buffer.alloc(0) });
      return;
    }
    const timer = setTimeout(() => req.destroy(new ProbeTimeout()), Math.max(0, deadline - now()));
    const onAbort = (): void => {
      req.destroy(new Error('receiver shutting down'));
    };
    signal.addEventListener('abort', onAbort);

    req.on('socket', (sock: Socket) => {
      sock.once('lookup', () => (tLookup = now()));
      sock.once('connect', () => {
        tConnect = now();
        stage = https ? 'in the TLS handshake' : 'sending the request';
      });
      if (https)
        sock.once('secureConnect', () => {
          tSecure = now();
          stage = 'sending the request';
          const ts = sock as TLSSocket;
          cert = certInfo(ts.getPeerCertificate());
          if (!spec.tls.skipVerify && !ts.authorized) {
            tlsRefusal = `tls: failed to verify certificate: ${describeTlsError(String(ts.authorizationError ?? 'unknown'))}`;
            req.destroy();
          }
        });
    });
    req.on('finish', () => {
      tWritten = now();
      stage = 'awaiting response headers';
    });
    req.on('response', (res: IncomingMessage) => {
      tFirst = now();
      stage = 'reading the body';
      status = res.statusCode ?? 0;
      const loc = res.headers.location;
      if (typeof loc === 'string') location = loc;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (keptBytes < spec.maxBody) {
          const part = chunk.length + keptBytes > spec.maxBody ? chunk.subarray(0, spec.maxBody - keptBytes) : chunk;
          kept.push(part);
          keptBytes += part.length;
        }
      });
      res.on('end', () => finish());
      res.on('error', (e: Error) => finish(describe(e, stage, spec.timeoutMs, url)));
      res.on('aborted', () => finish(`connection closed ${stage}`));
    });
    req.on('error', (e: Error) => finish(describe(e, stage, spec.timeoutMs, url)));
    req.on('close', () => finish(tFirst === undefined ? `connection closed ${stage}` : undefined));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

function isIp(h: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':');
}

/** Errors as an administrator reads them (Go's wording where the Collector users know it). */
function describe(e: Error, stage: string, timeoutMs: number, url: URL): string {
  if (e instanceof ProbeTimeout) return `timeout after ${fmtMs(timeoutMs)} ${stage}`;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const addr = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ENOTFOUND':
      return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${url.hostname}: temporary failure in name resolution`;
    case 'ECONNRESET':
      return `connection reset by peer ${stage}`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `tls: handshake failed: ${e.message.split('\n')[0]}`;
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_STATUS':
      return 'malformed HTTP response';
    default:
      return e.message.split('\n')[0] || code || 'request failed';
  }
}

function describeTlsError(code: string): string {
  const m: Record<string, string> = {
    DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
    SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by unknown authority',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by unknown authority',
    CERT_HAS_EXPIRED: 'certificate has expired',
    CERT_NOT_YET_VALID: 'certificate is not yet valid',
    ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is not valid for this host name',
  };
  return m[code] ?? code;
}

function fmtMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function certInfo(c: PeerCertificate | undefined): CertInfo | undefined {
  if (!c || !c.valid_to) return undefined;
  const dn = (o: Record<string, string | string[] | undefined> | undefined): string =>
    o ? Object.entries(o).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v ?? ''}`).join(',') : '';
  const cnOf = (o: Record<string, string | string[] | undefined> | undefined): string => {
    const v = o?.CN;
    return Array.isArray(v) ? v.join('+') : (v ?? '');
  };
  const subject = c.subject as unknown as Record<string, string | string[] | undefined> | undefined;
  const issuer = c.issuer as unknown as Record<string, string | string[] | undefined> | undefined;
  const san = (c.subjectaltname ?? '')
    .split(/,\s*/)
    .map((x) => x.replace(/^(DNS|IP Address|email|URI):/, ''))
    .filter((x) => x !== '')
    .join(',');
  return { notAfter: Date.parse(c.valid_to), issuer: dn(issuer), cn: cnOf(subject), san };
}
