// OTLP/gRPC server: the three Export services with a pass-through codec, so request bytes are
// decoded by src/otlp and errors carry OTLP semantics (UNAVAILABLE + RetryInfo when full).
import type * as Grpc from '@grpc/grpc-js';
import { loadGrpc, SERVICE_PATHS } from '../../src/otlp/grpc-module.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';
import { decodeProtoCosted, encodeExportResponse, encodeStatus, OtlpCostError, OtlpDecodeError } from '../../src/otlp/index.js';
import { grpcServerOptions, hardenGrpc } from '../../src/net/grpc-server.js';
import { listenError } from '../../src/net/listen-error.js';
import { loadServerTls } from '../../src/otlp/tls.js';
import { parseEndpoint } from '../../src/util/endpoint.js';
import type { GrpcConfig } from './config.js';
import { checkBearer, type Ingest } from './ingest.js';
import { loadToken } from './auth.js';
import { Ticket } from './inflight.js';
import { countItems } from '../../src/pdata/index.js';
import type { AuthOutcome, RequestHeaders } from '../../src/auth/auth.js';

// Tests call the services by these paths.
export { SERVICE_PATHS };

let grpc: typeof Grpc;

const passthrough = {
  requestStream: false,
  responseStream: false,
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
};

function fail(code: Grpc.status, message: string, retryDelayMs?: number): Grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (retryDelayMs !== undefined)
    metadata.set('grpc-status-details-bin', Buffer.from(encodeStatus({ code, message, retryDelayMs })));
  return Object.assign(new Error(message), { code, details: message, metadata });
}

export class OtlpGrpcServer {
  private server?: Grpc.Server;
  private token?: Buffer;
  port = 0;
  /** Set at start when auth.authenticator names an extension (src/auth). */
  authenticate?: (h: RequestHeaders) => AuthOutcome;

  constructor(
    private cfg: GrpcConfig,
    private ingest: Ingest,
  ) {
    this.token = loadToken(cfg.auth);
  }

  async start(): Promise<void> {
    grpc = await loadGrpc();
    const maxBytes = this.cfg.max_recv_msg_size_mib * 1024 * 1024;
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': maxBytes,
      'grpc.max_concurrent_streams': this.cfg.max_concurrent_streams,
      ...grpcServerOptions(this.cfg),
    });
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      if (!this.ingest.has(signal)) continue;
      const path = SERVICE_PATHS[signal];
      const service = { Export: { path, originalName: 'Export', ...passthrough } } as unknown as Grpc.ServiceDefinition;
      this.server.addService(service, {
        Export: (call: Grpc.ServerUnaryCall<Buffer, Buffer>, cb: Grpc.sendUnaryData<Buffer>) => void this.export(signal, call, cb),
      });
    }
    let creds = grpc.ServerCredentials.createInsecure();
    if (this.cfg.tls) {
      const m = loadServerTls(this.cfg.tls);
      creds = grpc.ServerCredentials.createSsl(m.ca ?? null, [{ private_key: m.key!, cert_chain: m.cert! }], !!m.ca);
    }
    const ep = parseEndpoint(this.cfg.endpoint)!;
    const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
    this.port = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync(`${host}:${ep.port}`, creds, (err, port) =>
        err ? reject(listenError(err, { listener: `${this.ingest.id} (OTLP/gRPC)`, address: this.cfg.endpoint, configKey: `receivers::${this.ingest.id}::protocols::grpc::endpoint` })) : resolve(port),
      ),
    );
    hardenGrpc(this.server, {
      limits: this.cfg,
      logger: this.ingest.logger,
      telemetry: this.ingest.telemetry,
      listener: `${this.ingest.id} (OTLP/gRPC)`,
      configKey: `receivers::${this.ingest.id}::protocols::grpc::endpoint`,
      host: ep.host,
      port: this.port,
    });
  }

  private async export(signal: Signal, call: Grpc.ServerUnaryCall<Buffer, Buffer>, cb: Grpc.sendUnaryData<Buffer>): Promise<void> {
    try {
      if (this.token) {
        const auth = call.metadata.get('authorization')[0];
        if (!checkBearer(typeof auth === 'string' ? auth : auth?.toString(), this.token)) {
          this.ingest.badRequest('grpc', 'auth', 'missing or invalid bearer token');
          cb(fail(grpc.status.UNAUTHENTICATED, 'missing or invalid bearer token'));
          return;
        }
      }
      if (this.authenticate) {
        const md = call.metadata.getMap();
        const h: RequestHeaders = {};
        for (const [k, v] of Object.entries(md)) h[k] = typeof v === 'string' ? v : v.toString();
        const authn = this.authenticate(h);
        if (!authn.ok) {
          this.ingest.badRequest('grpc', 'auth', authn.message);
          cb(fail(grpc.status.UNAUTHENTICATED, authn.message));
          return;
        }
      }
      await this.receive(signal, call, cb);
    } catch (e) {
      this.ingest.logger.error({ err: e }, 'OTLP/gRPC handler failed');
      cb(fail(grpc.status.INTERNAL, 'internal error'));
    }
  }

  /**
   * The message (already read by grpc-js, at most max_recv_msg_size_mib) and then its decoded
   * data are held in the byte budget until the answer; decoding stops before it would pass it.
   */
  private async receive(signal: Signal, call: Grpc.ServerUnaryCall<Buffer, Buffer>, cb: Grpc.sendUnaryData<Buffer>): Promise<void> {
    const budget = this.ingest.budget;
    const held = budget.reserve();
    try {
      // grpc-js has read the message; refusing before decoding is what saves the CPU.
      const busy = this.ingest.overloaded('grpc');
      if (busy) {
        cb(fail(grpc.status.UNAVAILABLE, busy, this.ingest.retryAfterMs));
        return;
      }
      const full = () => {
        this.ingest.badRequest('grpc', 'memory_budget', 'receiver byte budget full');
        cb(fail(grpc.status.UNAVAILABLE, `receiver byte budget full (${Math.round(budget.used / 1048576)} of ${Math.round(budget.limit / 1048576)} MiB in flight); retry later`, this.ingest.retryAfterMs));
      };
      if (!held.grow(call.request.length)) return full();
      let data;
      const room = held.held + held.room;
      try {
        const r = await this.ingest.inTurn('grpc', call.request.length, () => decodeProtoCosted(signal, call.request, room));
        if (!r.ok) {
          cb(fail(grpc.status.UNAVAILABLE, r.message, this.ingest.retryAfterMs));
          return;
        }
        data = r.value.data;
        held.resize(r.value.cost);
      } catch (e) {
        if (e instanceof OtlpCostError && room < budget.limit) return full();
        if (e instanceof OtlpCostError) {
          this.ingest.badRequest('grpc', 'too_large', e.message);
          cb(fail(grpc.status.RESOURCE_EXHAUSTED, `request too large: ${e.message}, more than the receiver's whole byte budget (admission.request_limit_mib)`));
          return;
        }
        if (!(e instanceof OtlpDecodeError)) throw e;
        this.ingest.badRequest('grpc', 'malformed', e.message);
        cb(fail(grpc.status.INVALID_ARGUMENT, e.message));
        return;
      }
      const slot = this.ingest.admit('grpc', signal);
      if (!(slot instanceof Ticket)) {
        cb(fail(grpc.status.UNAVAILABLE, slot.message, this.ingest.retryAfterMs));
        return;
      }
      try {
        await this.answer(signal, call, cb, slot, data);
      } finally {
        slot.release();
      }
    } finally {
      held.release();
    }
  }

  private async answer<S extends Signal>(signal: S, call: Grpc.ServerUnaryCall<Buffer, Buffer>, cb: Grpc.sendUnaryData<Buffer>, slot: Ticket, data: SignalData[S]): Promise<void> {
    // Cancelled = the client's deadline passed or it disconnected before we answered.
    let answered = false;
    const gone = () => {
      if (!answered) this.ingest.clientGone(slot, 'grpc', signal, countItems(signal, data));
    };
    call.once('cancelled', gone);
    try {
      const o = await this.ingest.deliver(signal, data, 'grpc');
      answered = true;
      switch (o.kind) {
        case 'delivered':
          cb(null, Buffer.from(encodeExportResponse(o.partial)));
          return;
        case 'handed_back':
          cb(fail(grpc.status.UNAVAILABLE, o.error.message, o.error.retryAfterMs ?? this.ingest.retryAfterMs));
          return;
        case 'dropped':
          cb(fail(o.reason === 'unimplemented' ? grpc.status.UNIMPLEMENTED : grpc.status.INVALID_ARGUMENT, o.error.message));
      }
    } finally {
      call.off('cancelled', gone);
    }
  }

  /** Finish in-flight calls (they wait on the pipeline) for up to 10 s, then force. */
  async shutdown(): Promise<void> {
    const srv = this.server;
    if (!srv) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        srv.forceShutdown();
        resolve();
      }, 10_000);
      srv.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
