import type { CreateSettings, Exporter, Host } from '../../src/component/component.js';
import type { SignalConsumers } from '../../src/component/consumer.js';
import { createQueuedSender, type QueuedSender } from '../../src/exporterhelper/index.js';
import type { Signal } from '../../src/pdata/types.js';
import { decodeExportResponse, encodeProto, PartialSuccessReporter, sendSplitting } from '../../src/otlp/index.js';
import type { Config } from './config.js';
import { OtlpGrpcClient } from './client.js';
import { loadGrpc } from '../../src/otlp/grpc-module.js';

/** gRPC's answer to a message over the server's max_recv_msg_size (grpc-go and grpc-js wording). */
function tooLarge(err: unknown): boolean {
  return err instanceof Error && /^gRPC RESOURCE_EXHAUSTED: .*larger than max/i.test(err.message);
}

export class OtlpGrpcExporter implements Exporter {
  readonly consumers: SignalConsumers = {};
  private senders: QueuedSender<Signal>[] = [];
  private client!: OtlpGrpcClient;

  constructor(set: CreateSettings, private readonly cfg: Config, signals: readonly Signal[]) {
    for (const signal of signals) {
      const partial = new PartialSuccessReporter(set, signal);
      const sender = createQueuedSender<Signal>({
        set, signal, queue: cfg.sending_queue, retry: cfg.retry_on_failure, timeoutMs: cfg.timeout,
        // A request over the server's message size limit is sent again in halves, not dropped.
        push: (data, abort) =>
          sendSplitting(signal, data, async (d) => {
            const res = await this.client.export(signal, encodeProto(signal, d), cfg.timeout, abort);
            partial.reportBody(() => decodeExportResponse(res));
          }, tooLarge),
      });
      this.senders.push(sender);
      (this.consumers as Record<Signal, unknown>)[signal] = sender.consumer;
    }
  }

  async start(host: Host): Promise<void> {
    const c = this.cfg;
    this.client = new OtlpGrpcClient(await loadGrpc(), c.endpoint, c.tls, c.headers, c.compression === 'gzip');
    for (const s of this.senders) await s.start(host);
  }

  async shutdown(budgetMs?: number): Promise<void> {
    await Promise.all(this.senders.map((s) => s.shutdown(budgetMs)));
    this.client?.close();
  }
}
