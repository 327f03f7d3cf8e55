// Every HTTP listener of telemd (OTLP/HTTP, the prometheus exporter, health_check, self-metrics,
// the console) is made here, so each gets the same defences against slow and greedy clients:
// bounded time for headers and for the whole request, bounded idle keep-alive, at most N
// connections per client address, counted when cut, and one warning when it is not on loopback.
import { createServer as createHttp, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps, type ServerOptions as HttpsOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { s, type Infer } from '../config/schema.js';
import type { Counter, SelfTelemetry } from '../telemetry/self.js';
import { mustParseEndpoint } from '../util/endpoint.js';
import { listenError } from './listen-error.js';
import { warnIfExposed } from './exposure.js';

export interface HttpLimits {
  /** Time for the request line and headers, from the connection (or the previous request). */
  read_header_timeout: number;
  /** Time for the whole request, headers and body (Go's ReadTimeout, the Collector's key). */
  read_timeout: number;
  /** An idle keep-alive connection is closed after this. */
  idle_timeout: number;
  /** Connections one client address may hold open at once; more are answered 503 and closed. */
  max_connections_per_client: number;
}

// Short enough that 300 slow clients cannot hold a listener for minutes (Node's own defaults
// are 60 s for headers and 300 s per request); long enough for a 20 MiB body over a slow link.
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  read_header_timeout: 10_000,
  read_timeout: 30_000,
  idle_timeout: 30_000,
  max_connections_per_client: 128,
};

/** Config keys (the Collector's confighttp names, plus max_connections_per_client) for listeners that expose them. */
export const httpLimitsKeys = {
  read_header_timeout: s.duration({ min: 1 }).default('10s').describe('time a client has to send the request headers'),
  read_timeout: s.duration({ min: 1 }).default('30s').describe('time a client has to send the whole request (headers and body)'),
  idle_timeout: s.duration({ min: 1 }).default('30s').describe('idle keep-alive connections are closed after this'),
  max_connections_per_client: s.int({ min: 1 }).default(128).describe('connections one client address may hold; more get 503 and are closed'),
};
export const httpLimitsSchema = s.object(httpLimitsKeys);
export type HttpLimitsConfig = Infer<typeof httpLimitsSchema>;

/** A config error for limits that cannot work together, or undefined. */
export function checkHttpLimits(l: Pick<HttpLimits, 'read_header_timeout' | 'read_timeout'>): string | undefined {
  return l.read_header_timeout > l.read_timeout ? 'read_header_timeout: must not be longer than read_timeout' : undefined;
}

export type CutReason = 'header_timeout' | 'body_timeout' | 'per_client_limit' | 'bad_http';

export interface HttpListenOptions {
  /** host:port; an empty host (":4318") means every interface. */
  endpoint: string;
  /** Host used when the endpoint has none (default: every interface, as the Collector does). */
  emptyHost?: string;
  /** Where the endpoint was configured, for the not-on-loopback warning ("receivers::otlp::protocols::http::endpoint"). */
  configKey: string;
  /** Short name in logs and the `listener` label (e.g. "otlp/http", "self-metrics"). */
  listener: string;
  logger: Logger;
  telemetry?: SelfTelemetry;
  limits?: Partial<HttpLimits>;
  tls?: HttpsOptions;
  handler: RequestListener;
}

export interface HardenedServer {
  readonly server: Server;
  readonly port: number;
  readonly host: string;
  /** Connections cut so far, by reason. */
  cut(reason: CutReason): number;
  /**
   * Stop accepting, let requests in progress finish for up to `graceMs`, then close every
   * connection. Resolves when the listener is closed.
   */
  close(graceMs?: number): Promise<void>;
}

const RETRY_503 = 'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 37\r\n\r\ntoo many connections from your address';

/** Marks sockets with an unfinished request (a timeout then is a body timeout). */
const receiving = new WeakSet<Socket>();

// Listener hand-over across a reload: while the graph replaces components, a listener that is
// closed stays bound (its connections alive) for the component that replaces it, and a
// listenHttp on the same address adopts it, so a reload never closes a listener whose address
// did not change. Requests arriving in between wait for the new handler; what nobody adopts is
// closed when the reload ends.
let handoffDepth = 0;
const parked = new Map<string, { adopt(o: HttpListenOptions): HardenedServer; closeForGood(): Promise<void> }>();

/** From now until endListenerHandoff(), closed listeners wait to be adopted. */
export function beginListenerHandoff(): void {
  handoffDepth++;
}

/** Closes what was parked and not adopted. */
export async function endListenerHandoff(): Promise<void> {
  if (--handoffDepth > 0) return;
  const left = [...parked.values()];
  parked.clear();
  await Promise.all(left.map((p) => p.closeForGood()));
}

export async function listenHttp(o: HttpListenOptions): Promise<HardenedServer> {
  const { host, port } = mustParseEndpoint(o.endpoint, o.emptyHost);
  const key = `${o.tls ? 'https' : 'http'}://${host}:${port}`;
  const p = parked.get(key);
  if (p) {
    parked.delete(key);
    return p.adopt(o);
  }
  return listenNew(o, host, port, key);
}

async function listenNew(first: HttpListenOptions, host: string, port: number, key: string): Promise<HardenedServer> {
  let o = first;
  let limits = { ...DEFAULT_HTTP_LIMITS, ...o.limits };
  const counters = new Map<CutReason, Counter>();
  const counts = new Map<CutReason, number>();
  const count = (reason: CutReason) => {
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
    let c = counters.get(reason);
    if (!c && o.telemetry) {
      c = o.telemetry.counter('telemd_http_cut_connections_total', 'HTTP connections closed by the server: slow headers or body, too many per client, malformed HTTP', {
        listener: o.listener,
        reason,
      });
      counters.set(reason, c);
    }
    c?.add();
  };

  /** Requests that arrived while the listener waited to be adopted. */
  let waiting: [IncomingMessage, ServerResponse][] | undefined;
  const handler: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const sock = req.socket;
    if (!req.complete) {
      receiving.add(sock);
      const done = () => receiving.delete(sock);
      req.once('end', done);
      req.once('close', done);
    }
    if (waiting) waiting.push([req, res]);
    else o.handler(req, res);
  };
  const opts = {
    headersTimeout: limits.read_header_timeout,
    requestTimeout: limits.read_timeout,
    keepAliveTimeout: limits.idle_timeout,
    // Node checks the two timeouts above on this interval (30 s by default, which would let a
    // slow client keep its connection three times longer than configured).
    connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(limits.read_header_timeout / 4))),
  };
  const server: Server = o.tls ? createHttps({ ...opts, ...o.tls }, handler) : createHttp(opts, handler);

  const perClient = new Map<string, number>();
  const sockets = new Set<Socket>();
  server.on('connection', (sock: Socket) => {
    const addr = sock.remoteAddress ?? '?';
    const n = (perClient.get(addr) ?? 0) + 1;
    if (n > limits.max_connections_per_client) {
      count('per_client_limit');
      // Plain HTTP gets an answer a client can act on; a TLS handshake has not happened yet.
      if (o.tls) sock.destroy();
      else sock.end(RETRY_503);
      sock.on('error', () => {});
      setTimeout(() => sock.destroy(), 1000).unref();
      return;
    }
    perClient.set(addr, n);
    sockets.add(sock);
    sock.once('close', () => {
      sockets.delete(sock);
      const left = (perClient.get(addr) ?? 1) - 1;
      if (left <= 0) perClient.delete(addr);
      else perClient.set(addr, left);
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, sock: Socket) => {
    const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    // A timed-out connection is cut (and counted) even when its write side has already ended
    // (an answer with Connection: close sent before the body came): the server closes it.
    if (timeout) count(receiving.has(sock) ? 'body_timeout' : 'header_timeout');
    if (err.code === 'ECONNRESET' || !sock.writable) {
      sock.destroy();
      return;
    }
    let answer = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
    if (timeout) {
      answer = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';
    } else {
      count('bad_http');
      if (err.code === 'HPE_HEADER_OVERFLOW') answer = 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n';
    }
    // A response already on its way (the handler answered) cannot be followed by another one.
    const busy = (sock as Socket & { _httpMessage?: unknown })._httpMessage;
    if (busy) sock.destroy();
    else sock.end(answer);
    setTimeout(() => sock.destroy(), 1000).unref();
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => reject(listenError(err, { listener: o.listener, address: o.endpoint, configKey: o.configKey }));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const a = server.address();
  const bound = typeof a === 'object' && a ? a.port : port;
  warnIfExposed(o.logger, o.configKey, o.listener, host, bound);

  const closeNow = (graceMs: number) =>
    (async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      const deadline = Date.now() + graceMs;
      // Idle keep-alive connections go at once; busy ones when their answer is sent.
      while (sockets.size > 0 && Date.now() < deadline) {
        server.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 20));
      }
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await closed;
    })();

  const wrap = (): HardenedServer => {
    let closing: Promise<void> | undefined;
    return {
      server,
      port: bound,
      host,
      cut: (r) => counts.get(r) ?? 0,
      close(graceMs = 10_000) {
        if (closing) return closing;
        if (handoffDepth > 0 && !parked.has(key)) {
          // A reload is replacing the component: keep the listener for its successor.
          waiting = [];
          parked.set(key, {
            adopt(next) {
              o = next;
              limits = { ...DEFAULT_HTTP_LIMITS, ...next.limits };
              server.headersTimeout = limits.read_header_timeout;
              server.requestTimeout = limits.read_timeout;
              server.keepAliveTimeout = limits.idle_timeout;
              if (next.tls && 'setSecureContext' in server) (server as unknown as { setSecureContext(t: HttpsOptions): void }).setSecureContext(next.tls);
              const held = waiting ?? [];
              waiting = undefined;
              for (const [req, res] of held) if (!res.writableEnded && !req.destroyed) next.handler(req, res);
              return wrap();
            },
            async closeForGood() {
              for (const [, res] of waiting ?? []) if (!res.headersSent) res.writeHead(503, { 'retry-after': '1', connection: 'close' }).end();
              waiting = undefined;
              await closeNow(1000);
            },
          });
          closing = Promise.resolve();
          return closing;
        }
        closing = closeNow(graceMs);
        return closing;
      },
    };
  };
  return wrap();
}
