// OTLP/gRPC server: the three Export services with a pass-through codec, so request bytes are
// decoded by src/otlp and errors carry OTLP semantics (UNAVAILABLE + RetryInfo when full).
import type * as Grpc from '@grpc/grpc-js';
import { loadGrpc, SERVICE_PATHS } from '../../src/otlp/grpc-module.js';
import type { Signal } from '../../src/pdata/types.js';
import { decodeProto, encodeExportResponse, encodeStatus, OtlpDecodeError } from '../../src/otlp/index.js';
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
      this.server!.bindAsync(`${host}:${ep.port}`, creds, (err, port) => (err ? reject(err) : resolve(port))),
    );
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
      const slot = this.ingest.admit('grpc', signal);
      if (!(slot instanceof Ticket)) {
        cb(fail(grpc.status.UNAVAILABLE, slot.message, this.ingest.retryAfterMs));
        return;
      }
      try {
        await this.receive(signal, call, cb, slot);
      } finally {
        slot.release();
      }
    } catch (e) {
      this.ingest.logger.error({ err: e }, 'OTLP/gRPC handler failed');
      cb(fail(grpc.status.INTERNAL, 'internal error'));
    }
  }

  private async receive(signal: Signal, call: Grpc.ServerUnaryCall<Buffer, Buffer>, cb: Grpc.sendUnaryData<Buffer>, slot: Ticket): Promise<void> {
    let data;
    try {
      data = decodeProto(signal, call.request);
    } catch (e) {
      if (!(e instanceof OtlpDecodeError)) throw e;
      this.ingest.badRequest('grpc', 'malformed', e.message);
      cb(fail(grpc.status.INVALID_ARGUMENT, e.message));
      return;
    }
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
        case 'ok':
          cb(null, Buffer.from(encodeExportResponse(o.partial)));
          return;
        case 'retryable':
          cb(fail(grpc.status.UNAVAILABLE, o.message, o.retryAfterMs));
          return;
        case 'permanent':
          cb(fail(grpc.status.INVALID_ARGUMENT, o.message));
          return;
        case 'unavailable':
          cb(fail(grpc.status.UNIMPLEMENTED, o.message));
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
