// One TCP probe: connect (timed), optionally TLS on top (certificate verified after the
// handshake so its expiry is read either way), optionally send a string and wait for a reply
// matching `expect`. Error codes are contrib's (connection_refused, connection_timeout,
// invalid_endpoint, network_unreachable, unknown_error) plus telemd's tls_failed, expect_failed.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type SecureVersion, type TLSSocket } from 'node:tls';

export interface TcpSpec {
  host: string;
  port: number;
  connectTimeoutMs: number;
  timeoutMs: number;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; servername?: string; skipVerify: boolean; minVersion: SecureVersion };
  send?: string;
  expect?: { test(s: string): boolean; source: string };
  maxRead: number;
}

export type ErrorCode = 'connection_refused' | 'connection_timeout' | 'invalid_endpoint' | 'network_unreachable' | 'unknown_error' | 'tls_failed' | 'expect_failed';

export interface TcpOutcome {
  connected: boolean;
  ok: boolean;
  code?: ErrorCode;
  error?: string;
  connectMs: number;
  totalMs: number;
  cert?: { notAfter: number; cn: string; issuer: string };
}

export function probeTcp(spec: TcpSpec, signal: AbortSignal, now: () => number = () => performance.now()): Promise<TcpOutcome> {
  return new Promise<TcpOutcome>((resolve) => {
    const t0 = now();
    let tConnect: number | undefined;
    let cert: TcpOutcome['cert'];
    let sock: Socket = netConnect({ host: spec.host, port: spec.port });
    let settled = false;
    let received = '';
    const done = (code?: ErrorCode, error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      const end = now();
      resolve({ connected: tConnect !== undefined, ok: code === undefined, code, error, connectMs: (tConnect ?? end) - t0, totalMs: end - t0, cert });
    };
    const connectTimer = setTimeout(() => {
      if (tConnect === undefined) done('connection_timeout', `dial tcp ${spec.host}:${spec.port}: i/o timeout after ${spec.connectTimeoutMs} ms`);
    }, spec.connectTimeoutMs);
    const timer = setTimeout(() => {
      if (tConnect === undefined) done('connection_timeout', `dial tcp ${spec.host}:${spec.port}: i/o timeout after ${spec.timeoutMs} ms`);
      else done('expect_failed', `timeout after ${spec.timeoutMs} ms waiting for /${spec.expect?.source ?? ''}/ (got ${JSON.stringify(received.slice(0, 80))})`);
    }, spec.timeoutMs);
    const onAbort = (): void => done('unknown_error', 'receiver shutting down');
    signal.addEventListener('abort', onAbort);

    const onError = (e: NodeJS.ErrnoException): void => {
      if (tConnect === undefined) {
        const c = e.code ?? '';
        if (c === 'ECONNREFUSED') return done('connection_refused', `dial tcp ${spec.host}:${spec.port}: connect: connection refused`);
        if (c === 'ENETUNREACH' || c === 'EHOSTUNREACH') return done('network_unreachable', `dial tcp ${spec.host}:${spec.port}: connect: ${c === 'ENETUNREACH' ? 'network is unreachable' : 'no route to host'}`);
        if (c === 'ENOTFOUND' || c === 'EAI_AGAIN') return done('invalid_endpoint', `dial tcp: lookup ${spec.host}: no such host`);
        if (c === 'ETIMEDOUT') return done('connection_timeout', `dial tcp ${spec.host}:${spec.port}: i/o timeout`);
        return done('unknown_error', e.message);
      }
      done(spec.tls ? 'tls_failed' : 'unknown_error', e.message.split('\n')[0]);
    };
    sock.once('error', onError);
    sock.once('connect', () => {
      tConnect = now();
      clearTimeout(connectTimer);
      if (!spec.tls) return converse(sock);
      const t = spec.tls;
      const ts: TLSSocket = tlsConnect({ socket: sock, ca: t.ca, cert: t.cert, key: t.key, servername: t.servername ?? (/^[\d.]+$|:/.test(spec.host) ? undefined : spec.host), minVersion: t.minVersion, rejectUnauthorized: false });
      ts.once('error', onError);
      ts.once('secureConnect', () => {
        cert = certOf(ts.getPeerCertificate());
        if (!t.skipVerify && !ts.authorized) return done('tls_failed', `tls: failed to verify certificate: ${String(ts.authorizationError)}`);
        sock = ts;
        converse(ts);
      });
    });

    function converse(s: Socket): void {
      if (spec.send !== undefined) s.write(spec.send);
      if (!spec.expect) return done();
      const expect = spec.expect;
      s.setEncoding('utf8');
      s.on('data', (chunk: string) => {
        if (received.length < spec.maxRead) received += chunk.slice(0, spec.maxRead - received.length);
        if (expect.test(received)) done();
        else if (received.length >= spec.maxRead) done('expect_failed', `no match for /${expect.source}/ in the first ${spec.maxRead} bytes`);
      });
      s.once('end', () => done('expect_failed', `connection closed before /${expect.source}/ matched (got ${JSON.stringify(received.slice(0, 80))})`));
    }
  });
}

function certOf(c: PeerCertificate | undefined): TcpOutcome['cert'] {
  if (!c || !c.valid_to) return undefined;
  const cn = (o: unknown): string => {
    const v = (o as Record<string, string | string[] | undefined> | undefined)?.CN;
    return Array.isArray(v) ? v.join('+') : (v ?? '');
  };
  return { notAfter: Date.parse(c.valid_to), cn: cn(c.subject), issuer: cn(c.issuer) };
}
