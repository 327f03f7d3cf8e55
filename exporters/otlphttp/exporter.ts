import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { CreateSettings, Exporter, Host } from '../../src/component/component.js';
import type { SignalConsumers } from '../../src/component/consumer.js';
import { createQueuedSender, type QueuedSender } from '../../src/exporterhelper/index.js';
import type { Signal } from '../../src/pdata/types.js';
import {
  decodeExportResponse, decodeExportResponseJson, encodeJson, encodeProto, PartialSuccessReporter, sendSplitting,
} from '../../src/otlp/index.js';
import { signalUrl, type Config } from './config.js';
import { OtlpHttpClient } from './client.js';

const gzipP = promisify(gzip);

export class OtlpHttpExporter implements Exporter {
  readonly consumers: SignalConsumers = {};
  private senders: QueuedSender<Signal>[] = [];
  private client: OtlpHttpClient;

  constructor(set: CreateSettings, cfg: Config, signals: readonly Signal[]) {
    this.client = new OtlpHttpClient(cfg.tls, cfg.headers);
    const json = cfg.encoding === 'json';
    const ct = json ? 'application/json' : 'application/x-protobuf';
    for (const signal of signals) {
      const url = signalUrl(cfg, signal);
      if (!url) throw new Error(`no URL for ${signal}: set endpoint or ${signal}_endpoint`);
      const partial = new PartialSuccessReporter(set, signal);
      const sender = createQueuedSender<Signal>({
        set, signal, queue: cfg.sending_queue, retry: cfg.retry_on_failure, timeoutMs: cfg.timeout,
        // A 413 (body over the server's limit) is answered by sending the batch in halves.
        push: (data, abort) =>
          sendSplitting(signal, data, async (d) => {
            let body: Uint8Array = json ? Buffer.from(encodeJson(signal, d)) : encodeProto(signal, d);
            if (cfg.compression === 'gzip') body = await gzipP(body);
            const res = await this.client.post(url, body, ct, cfg.compression === 'gzip', abort);
            partial.reportBody(() => (json ? decodeExportResponseJson(signal, res.toString('utf8')) : decodeExportResponse(res)));
          }, (err) => err instanceof Error && err.message.startsWith('HTTP 413:')),
      });
      this.senders.push(sender);
      (this.consumers as Record<Signal, unknown>)[signal] = sender.consumer;
    }
  }

  async start(host: Host): Promise<void> {
    for (const s of this.senders) await s.start(host);
  }

  async shutdown(budgetMs?: number): Promise<void> {
    await Promise.all(this.senders.map((s) => s.shutdown(budgetMs)));
    this.client.close();
  }
}
