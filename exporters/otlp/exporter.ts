import type { CreateSettings, Exporter, Host } from '../../src/component/component.js';
import type { SignalConsumers } from '../../src/component/consumer.js';
import type { Signal } from '../../src/pdata/types.js';
import { decodeExportResponse, decodeProto, encodeProto } from '../../src/otlp/index.js';
import { OtlpSenders } from '../../src/exporterhelper/otlp-senders.js';
import type { Config } from './config.js';
import { OtlpGrpcClient } from './client.js';
import { loadGrpc } from '../../src/otlp/grpc-module.js';
import { clientAuthenticator } from '../../src/auth/auth.js';

/** gRPC's answer to a message over the server's max_recv_msg_size (grpc-go and grpc-js wording). */
function tooLarge(err: unknown): boolean {
  return err instanceof Error && /^gRPC RESOURCE_EXHAUSTED: .*larger than max/i.test(err.message);
}

export class OtlpGrpcExporter implements Exporter {
  readonly consumers: SignalConsumers;
  private readonly senders: OtlpSenders;
  private client!: OtlpGrpcClient;

  constructor(set: CreateSettings, private readonly cfg: Config, signals: readonly Signal[]) {
    this.senders = new OtlpSenders({
      set, signals, cfg, tooLarge, protobuf: true,
      encode: encodeProto,
      decode: decodeProto,
      request: async (signal, body, abort) => {
        const res = await this.client.export(signal, body, cfg.timeout, abort);
        return () => decodeExportResponse(res);
      },
    });
    this.consumers = this.senders.consumers;
  }

  async start(host: Host): Promise<void> {
    const c = this.cfg;
    this.client = new OtlpGrpcClient(await loadGrpc(), c.endpoint, c.tls, c.headers, c.compression === 'gzip');
    if (c.auth) this.client.auth = clientAuthenticator(host, c.auth.authenticator);
    await this.senders.start(host);
  }

  async shutdown(budgetMs?: number): Promise<void> {
    await this.senders.shutdown(budgetMs);
    this.client?.close();
  }
}
