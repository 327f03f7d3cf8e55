import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { SignalConsumers } from '../../src/component/consumer.js';
import type { Config } from './config.js';
import { Ingest } from './ingest.js';
import { OtlpHttpServer } from './http.js';
import { OtlpGrpcServer } from './grpc.js';
import { serverAuthenticator } from '../../src/auth/auth.js';

export class OtlpReceiver implements Receiver {
  private ingest: Ingest;
  grpc?: OtlpGrpcServer;
  http?: OtlpHttpServer;

  constructor(
    private set: CreateSettings,
    private cfg: Config,
    next: SignalConsumers,
  ) {
    this.ingest = new Ingest(set, next, cfg.retry_after, cfg.max_concurrent_requests, Math.round(cfg.admission.request_limit_mib * 1024 * 1024), cfg.admission.max_queue_wait);
    if (cfg.protocols.grpc) this.grpc = new OtlpGrpcServer(cfg.protocols.grpc, this.ingest);
    if (cfg.protocols.http) this.http = new OtlpHttpServer(cfg.protocols.http, this.ingest);
  }

  async start(host: Host): Promise<void> {
    // auth.authenticator: the extension, by id through the Host (the one seam of src/auth here).
    for (const [srv, p] of [[this.grpc, this.cfg.protocols.grpc], [this.http, this.cfg.protocols.http]] as const) {
      const id = p?.auth?.authenticator;
      if (srv && id) {
        const a = serverAuthenticator(host, id);
        srv.authenticate = (h) => a.authenticate(h);
      }
    }
    try {
      if (this.grpc) await this.grpc.start();
      if (this.http) await this.http.start();
    } catch (e) {
      await this.shutdown();
      throw e;
    }
    this.set.logger.info({ grpc_port: this.grpc?.port, http_port: this.http?.port }, 'OTLP receiver listening');
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.grpc?.shutdown(), this.http?.shutdown()]);
  }
}
