// OTLP/HTTP server: POST /v1/{traces,metrics,logs}, protobuf or JSON, optional gzip/deflate.
// Answers follow the OTLP spec: 200 (+ partial success) only after the pipeline acknowledged,
// 400 + google.rpc.Status for bad bodies, 413/415/405, 503 + Retry-After when full, over the
// byte budget or when max_concurrent_requests are in flight. The listener itself (timeouts,
// connections per client, the loopback warning) is src/net/http-server.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import type { Signal } from '../../src/pdata/types.js';
import {
  decodeJsonCosted, decodeProtoCosted, encodeExportResponse, encodeExportResponseJson, encodeStatus, encodeStatusJson, jsonCost,
  OtlpCostError, OtlpDecodeError,
} from '../../src/otlp/index.js';
import { loadServerTls, tlsMinVersion } from '../../src/otlp/tls.js';
import { listenHttp, type HardenedServer } from '../../src/net/http-server.js';
import type { Reservation } from '../../src/memory/byte-budget.js';
import type { HttpConfig } from './config.js';
import { checkBearer, refusedRetryable, type Ingest, type Outcome } from './ingest.js';
import { loadToken } from './auth.js';
import { Ticket } from './inflight.js';
import { Cors } from './cors.js';
import { countItems } from '../../src/pdata/index.js';
import type { AuthOutcome, RequestHeaders } from '../../src/auth/auth.js';

type Format = 'proto' | 'json';

// gRPC codes used in Status bodies.
const INVALID_ARGUMENT = 3;
const UNAUTHENTICATED = 16;
const UNAVAILABLE = 14;
const UNIMPLEMENTED = 12;
const RESOURCE_EXHAUSTED = 8;
const PERMISSION_DENIED = 7;

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

/** The byte budget is full: retryable (503 + Retry-After), and the rest of the body is not read. */
class BudgetFull extends Error {}

export class OtlpHttpServer {
  private listener?: HardenedServer;
  private routes: Map<string, Signal>;
  private token?: Buffer;
  private readonly cors: Cors;
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
    this.cors = new Cors(cfg.cors);
  }

  async start(): Promise<void> {
    let tls;
    if (this.cfg.tls) {
      const m = loadServerTls(this.cfg.tls);
      tls = { cert: m.cert, key: m.key, ca: m.ca, requestCert: !!m.ca, rejectUnauthorized: !!m.ca, minVersion: tlsMinVersion(this.cfg.tls.min_version) };
    }
    this.listener = await listenHttp({
      endpoint: this.cfg.endpoint,
      configKey: `receivers::${this.ingest.id}::protocols::http::endpoint`,
      listener: `${this.ingest.id} (OTLP/HTTP)`,
      logger: this.ingest.logger,
      telemetry: this.ingest.telemetry,
      limits: this.cfg,
      tls,
      handler: (req, res) => void this.handle(req, res),
    });
    this.port = this.listener.port;
  }

  /** Stop accepting, let in-flight requests finish (they wait on the pipeline) for up to 10 s, then close. */
  async shutdown(): Promise<void> {
    await this.listener?.close(10_000);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let format: Format = 'json';
    try {
      const path = (req.url ?? '/').split('?')[0]!;
      const signal = this.routes.get(path);
      if (!signal || !this.ingest.has(signal)) throw new HttpError(404, UNIMPLEMENTED, `no OTLP endpoint at ${path}`, 'not_found');
      if (this.cors.preflight(req, res)) return;
      if (!this.cors.actual(req, res)) throw new HttpError(403, PERMISSION_DENIED, `origin ${req.headers.origin} is not in cors.allowed_origins`, 'origin');
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
      await this.receive(req, res, signal, format);
    } catch (e) {
      if (e instanceof BudgetFull) {
        // The rest of the body is drained unkept (readBody resumed it): closing while the
        // client still sends would reset the connection before it reads the 503.
        this.answer(res, 'metrics', format, refusedRetryable(e.message, this.ingest.retryAfterMs));
      } else if (e instanceof HttpError) {
        this.ingest.badRequest('http', e.reason, e.message);
        if (e.reason === 'too_large') res.setHeader('Connection', 'close');
        this.send(res, e.status, format, { code: e.code, message: e.message });
      } else {
        this.ingest.logger.error({ err: e }, 'OTLP/HTTP handler failed');
        this.send(res, 500, format, { code: 13, message: 'internal error' });
      }
    }
  }

  /**
   * Body → decode → slot → pipeline. The body's bytes and then the decoded data's estimated
   * memory are held in the byte budget until the answer; the max_concurrent_requests slot is
   * taken only once the request is decoded, so slow clients never hold one.
   */
  private async receive(req: IncomingMessage, res: ServerResponse, signal: Signal, format: Format): Promise<void> {
    const held = this.ingest.budget.reserve();
    try {
      // Refused unread (the body is drained, the connection kept) and again before decoding:
      // both are cheap next to JSON.parse, so refusing keeps the loop short.
      const busy = this.ingest.overloaded('http');
      if (busy) {
        req.resume();
        this.answer(res, signal, format, refusedRetryable(busy, this.ingest.retryAfterMs));
        return;
      }
      const body = await this.readBody(req, held);
      const decoded = await this.ingest.inTurn('http', body.length, () => this.decode(signal, format, body, held));
      if (!decoded.ok) {
        this.answer(res, signal, format, refusedRetryable(decoded.message, this.ingest.retryAfterMs));
        return;
      }
      const data = decoded.value;
      const slot = this.ingest.admit('http', signal);
      if (!(slot instanceof Ticket)) {
        this.answer(res, signal, format, refusedRetryable(slot.message, this.ingest.retryAfterMs));
        return;
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
        slot.release();
      }
    } finally {
      held.release();
    }
  }

  /** Decoded data, its estimated memory held in `held` (instead of the body's bytes) before it is allocated. */
  private decode(signal: Signal, format: Format, body: Buffer, held: Reservation) {
    const budget = this.ingest.budget;
    try {
      if (format === 'json') {
        // The parsed tree, bounded before JSON.parse; then the pdata built from it, charged as it is built.
        const parse = jsonCost(body);
        if (parse > budget.limit) throw new OtlpCostError(parse, budget.limit);
        if (!held.resize(parse + body.length)) throw this.full('decoding this JSON body');
        const room = budget.limit;
        const { data, cost } = decodeJsonCosted(signal, body.toString('utf8'), room);
        if (!held.resize(cost)) {
          // Only the (now garbage) parse tree was in its place: give way to others.
          held.resize(0);
          if (!held.resize(cost)) throw this.full('holding this JSON body');
        }
        return data;
      }
      // Protobuf: the decoder stops as soon as its objects would pass what the budget has left.
      const room = held.held + held.room;
      try {
        const { data, cost } = decodeProtoCosted(signal, body, room);
        held.resize(cost);
        return data;
      } catch (e) {
        if (e instanceof OtlpCostError && room < budget.limit) throw this.full('decoding this protobuf body');
        throw e;
      }
    } catch (e) {
      if (e instanceof OtlpCostError)
        throw new HttpError(413, RESOURCE_EXHAUSTED, `request too large: ${e.message}, more than the receiver's whole byte budget (admission.request_limit_mib)`, 'too_large');
      if (e instanceof OtlpDecodeError) throw new HttpError(400, INVALID_ARGUMENT, e.message, 'malformed');
      throw e;
    }
  }

  private full(what: string): BudgetFull {
    this.ingest.badRequest('http', 'memory_budget', what);
    const b = this.ingest.budget;
    return new BudgetFull(`receiver byte budget full (${Math.round(b.used / 1048576)} of ${Math.round(b.limit / 1048576)} MiB in flight) while ${what}; retry later`);
  }

  private answer(res: ServerResponse, signal: Signal, format: Format, o: Outcome): void {
    switch (o.kind) {
      case 'delivered': {
        const body = format === 'proto' ? encodeExportResponse(o.partial) : encodeExportResponseJson(signal, o.partial);
        this.write(res, 200, format, body);
        return;
      }
      case 'handed_back': {
        const ms = o.error.retryAfterMs ?? this.ingest.retryAfterMs;
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(ms / 1000))));
        this.send(res, 503, format, { code: UNAVAILABLE, message: o.error.message, retryDelayMs: ms });
        return;
      }
      case 'dropped':
        if (o.reason === 'unimplemented') this.send(res, 404, format, { code: UNIMPLEMENTED, message: o.error.message });
        else this.send(res, 400, format, { code: INVALID_ARGUMENT, message: o.error.message });
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

  /**
   * The (decompressed) body, streamed: every chunk read or inflated is taken from the byte
   * budget first; 413 past max_request_body_size before or after decompression (gzip bombs).
   */
  private async readBody(req: IncomingMessage, held: Reservation): Promise<Buffer> {
    const max = this.cfg.max_request_body_size;
    const declared = Number(req.headers['content-length'] ?? -1);
    if (declared > max) {
      req.resume();
      throw new HttpError(413, RESOURCE_EXHAUSTED, `body of ${declared} bytes exceeds max_request_body_size ${max}`, 'too_large');
    }
    const enc = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    let inflater: Gunzip | Inflate | undefined;
    if (enc === 'gzip' || enc === 'x-gzip') inflater = createGunzip();
    else if (enc === 'deflate' || enc === 'zlib') inflater = createInflate();
    else if (enc !== '' && enc !== 'identity' && enc !== 'none') {
      req.resume();
      throw new HttpError(415, INVALID_ARGUMENT, `unsupported content encoding "${enc}"; use gzip, deflate or none`, 'content_encoding');
    }
    const raw = await this.collect(req as AsyncIterable<Buffer>, max, held, 'body', () => req.resume(), (e) => {
      throw new HttpError(400, INVALID_ARGUMENT, `request body aborted: ${e.message}`, 'aborted');
    });
    if (!inflater) return raw;
    const z = inflater;
    const out = this.collect(z as AsyncIterable<Buffer>, max, held, 'decompressed body', () => z.destroy(), (e) => {
      throw new HttpError(400, INVALID_ARGUMENT, `invalid ${enc} body: ${e.message}`, 'malformed');
    });
    z.end(raw);
    const body = await out;
    // The compressed bytes are garbage now.
    held.resize(body.length);
    return body;
  }

  /** Chunks of `src` up to `max` bytes, each taken from the budget before it is kept. */
  private async collect(
    src: AsyncIterable<Buffer>,
    max: number,
    held: Reservation,
    what: string,
    stop: () => void,
    failed: (e: Error) => never,
  ): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of src) {
        size += chunk.length;
        if (size > max) {
          stop();
          throw new HttpError(413, RESOURCE_EXHAUSTED, `${what} exceeds max_request_body_size ${max}`, 'too_large');
        }
        if (!held.grow(chunk.length)) {
          stop();
          throw this.full(`reading the ${what}`);
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof HttpError || e instanceof BudgetFull) throw e;
      failed(e as Error);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  }
}

