// OTLP/HTTP server: POST /v1/{traces,metrics,logs}, protobuf or JSON, optional gzip/deflate.
// Answers follow the OTLP spec: 200 (+ partial success) only after the pipeline acknowledged,
// 400 + google.rpc.Status for bad bodies, 413/415/405, 503 + Retry-After when full or when
// max_concurrent_requests are in flight.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { Signal } from '../../src/pdata/types.js';
import {
  decodeJson, decodeProto, encodeExportResponse, encodeExportResponseJson, encodeStatus, encodeStatusJson, OtlpDecodeError,
} from '../../src/otlp/index.js';
import { loadServerTls, tlsMinVersion } from '../../src/otlp/tls.js';
import { parseEndpoint } from '../../src/util/endpoint.js';
import type { HttpConfig } from './config.js';
import { checkBearer, type Ingest, type Outcome } from './ingest.js';
import { loadToken } from './auth.js';
import { Ticket } from './inflight.js';
import { countItems } from '../../src/pdata/index.js';
import type { AuthOutcome, RequestHeaders } from '../../src/auth/auth.js';

const gunzipP = promisify(gunzip) as (b: Buffer, o: object) => Promise<Buffer>;
const inflateP = promisify(inflate) as (b: Buffer, o: object) => Promise<Buffer>;

type Format = 'proto' | 'json';

// gRPC codes used in Status bodies.
const INVALID_ARGUMENT = 3;
const UNAUTHENTICATED = 16;
const UNAVAILABLE = 14;
const UNIMPLEMENTED = 12;
const RESOURCE_EXHAUSTED = 8;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

export class OtlpHttpServer {
  private server?: Server;
  private routes: Map<string, Signal>;
  private token?: Buffer;
  private sockets = new Set<import('node:net').Socket>();
  private inflight = 0;
  port = 0;
  /** Set at start when auth.authenticator names an extension (src/auth). */
  authenticate?: (h: RequestHeaders) => AuthOutcome;

  constructor(
    private cfg: HttpConfig,
    private ingest: Ingest,
  ) {
    this.routes = new Map<string, Signal>([
      [cfg.traces_url_path, 'traces'],
      [cfg.metrics_url_path, 'metrics'],
      [cfg.logs_url_path, 'logs'],
    ]);
    this.token = loadToken(cfg.auth);
  }

  async start(): Promise<void> {
    const ep = parseEndpoint(this.cfg.endpoint)!;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    if (this.cfg.tls) {
      const m = loadServerTls(this.cfg.tls);
      this.server = createHttps(
        {
          cert: m.cert, key: m.key, ca: m.ca, requestCert: !!m.ca, rejectUnauthorized: !!m.ca,
          minVersion: tlsMinVersion(this.cfg.tls.min_version),
        },
        handler,
      );
    } else this.server = createHttp(handler);
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(ep.port, ep.host, () => {
        this.server!.off('error', reject);
        resolve();
      });
    });
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : ep.port;
  }

  /** Stop accepting, let in-flight requests finish (they wait on the pipeline), then close. */
  async shutdown(): Promise<void> {
    const srv = this.server;
    if (!srv) return;
    const closed = new Promise<void>((r) => srv.close(() => r()));
    srv.closeIdleConnections();
    const deadline = Date.now() + 10_000;
    while (this.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inflight++;
    let format: Format = 'json';
    try {
      const path = (req.url ?? '/').split('?')[0]!;
      const signal = this.routes.get(path);
      if (!signal || !this.ingest.has(signal)) throw new HttpError(404, UNIMPLEMENTED, `no OTLP endpoint at ${path}`, 'not_found');
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw new HttpError(405, UNIMPLEMENTED, `method ${req.method} not allowed, use POST`, 'method');
      }
      if (this.token && !checkBearer(req.headers.authorization, this.token))
        throw new HttpError(401, UNAUTHENTICATED, 'missing or invalid bearer token', 'auth');
      const authn = this.authenticate?.(req.headers);
      if (authn && !authn.ok) throw new HttpError(401, UNAUTHENTICATED, authn.message, 'auth');
      const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (ct === 'application/x-protobuf' || ct === 'application/protobuf') format = 'proto';
      else if (ct === 'application/json') format = 'json';
      else throw new HttpError(415, INVALID_ARGUMENT, `unsupported content type "${ct}"; use application/x-protobuf or application/json`, 'content_type');
      const slot = this.ingest.admit('http', signal);
      if (!(slot instanceof Ticket)) {
        // Backpressure before reading the body: the client retries after Retry-After.
        req.resume();
        this.answer(res, signal, format, { kind: 'retryable', message: slot.message, retryAfterMs: this.ingest.retryAfterMs });
        return;
      }
      try {
        await this.receive(req, res, signal, format, slot);
      } finally {
        slot.release();
      }
    } catch (e) {
      if (e instanceof HttpError) {
        this.ingest.badRequest('http', e.reason, e.message);
        if (e.reason === 'too_large') res.setHeader('Connection', 'close');
        this.send(res, e.status, format, { code: e.code, message: e.message });
      } else {
        this.ingest.logger.error({ err: e }, 'OTLP/HTTP handler failed');
        this.send(res, 500, format, { code: 13, message: 'internal error' });
      }
    } finally {
      this.inflight--;
    }
  }

  private async receive(req: IncomingMessage, res: ServerResponse, signal: Signal, format: Format, slot: Ticket): Promise<void> {
    const body = await this.readBody(req);
    let data;
    try {
      data = format === 'proto' ? decodeProto(signal, body) : decodeJson(signal, body.toString('utf8'));
    } catch (e) {
      if (e instanceof OtlpDecodeError) throw new HttpError(400, INVALID_ARGUMENT, e.message, 'malformed');
      throw e;
    }
    // The connection closing before we answered = the client gave up (timeout, disconnect).
    const gone = () => {
      if (!res.writableEnded) this.ingest.clientGone(slot, 'http', signal, countItems(signal, data));
    };
    res.once('close', gone);
    try {
      const outcome = await this.ingest.deliver(signal, data, 'http');
      this.answer(res, signal, format, outcome);
    } finally {
      res.off('close', gone);
    }
  }

  private answer(res: ServerResponse, signal: Signal, format: Format, o: Outcome): void {
    switch (o.kind) {
      case 'ok': {
        const body = format === 'proto' ? encodeExportResponse(o.partial) : encodeExportResponseJson(signal, o.partial);
        this.write(res, 200, format, body);
        return;
      }
      case 'retryable':
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(o.retryAfterMs / 1000))));
        this.send(res, 503, format, { code: UNAVAILABLE, message: o.message, retryDelayMs: o.retryAfterMs });
        return;
      case 'permanent':
        this.send(res, 400, format, { code: INVALID_ARGUMENT, message: o.message });
        return;
      case 'unavailable':
        this.send(res, 404, format, { code: UNIMPLEMENTED, message: o.message });
    }
  }

  private send(res: ServerResponse, status: number, format: Format, st: { code: number; message: string; retryDelayMs?: number }): void {
    this.write(res, status, format, format === 'proto' ? encodeStatus(st) : encodeStatusJson(st));
  }

  private write(res: ServerResponse, status: number, format: Format, body: Uint8Array | string): void {
    if (res.headersSent) return;
    res.statusCode = status;
    res.setHeader('Content-Type', format === 'proto' ? 'application/x-protobuf' : 'application/json');
    res.end(body);
  }

  /** The (decompressed) body; 413 past max_request_body_size before or after decompression. */
  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const max = this.cfg.max_request_body_size;
    const declared = Number(req.headers['content-length'] ?? -1);
    if (declared > max) {
      req.resume();
      throw new HttpError(413, RESOURCE_EXHAUSTED, `body of ${declared} bytes exceeds max_request_body_size ${max}`, 'too_large');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > max) {
          req.resume();
          throw new HttpError(413, RESOURCE_EXHAUSTED, `body exceeds max_request_body_size ${max}`, 'too_large');
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof HttpError) throw e;
      // The client went away mid-body: nothing was accepted, nothing to answer.
      throw new HttpError(400, INVALID_ARGUMENT, `request body aborted: ${(e as Error).message}`, 'aborted');
    }
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    const enc = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (enc === '' || enc === 'identity' || enc === 'none') return raw;
    const opts = { maxOutputLength: max };
    try {
      if (enc === 'gzip' || enc === 'x-gzip') return await gunzipP(raw, opts);
      if (enc === 'deflate' || enc === 'zlib') return await inflateP(raw, opts);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
        throw new HttpError(413, RESOURCE_EXHAUSTED, `decompressed body exceeds max_request_body_size ${max}`, 'too_large');
      throw new HttpError(400, INVALID_ARGUMENT, `invalid ${enc} body: ${err.message}`, 'malformed');
    }
    throw new HttpError(415, INVALID_ARGUMENT, `unsupported content encoding "${enc}"; use gzip, deflate or none`, 'content_encoding');
  }
}
