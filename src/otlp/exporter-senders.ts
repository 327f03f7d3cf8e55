// The per-signal wiring both OTLP exporters (gRPC and HTTP) share: a queued sender per signal
// whose push sends one request, halves a batch the backend refuses as too large, and counts
// and logs a partial-success answer. The exporters supply only the request itself.
import type { CreateSettings, Host } from '../component/component.js';
import type { SignalConsumers } from '../component/consumer.js';
import { createQueuedSender, type QueuedSender, type RetryConfig, type SendingQueueConfig } from '../exporterhelper/index.js';
import type { Signal, SignalData } from '../pdata/types.js';
import { PartialSuccessReporter } from './partial.js';
import type { PartialSuccess } from './response.js';
import { sendSplitting } from './split.js';

/** Sends one encoded request; resolves with a decoder of the backend's answer (run after success only). */
export type OtlpRequest = (signal: Signal, body: Uint8Array, abort: AbortSignal) => Promise<() => PartialSuccess | undefined>;

export interface OtlpSendersOptions {
  set: CreateSettings;
  signals: readonly Signal[];
  cfg: { sending_queue: SendingQueueConfig; retry_on_failure: RetryConfig; timeout: number };
  request: OtlpRequest;
  /**
   * The request body of a batch, and back (to split a batch refused as too large). Batches are
   * encoded as they arrive, so the queue holds bytes and the records can be collected at once.
   */
  encode: (signal: Signal, data: SignalData[Signal]) => Uint8Array;
  decode: (signal: Signal, body: Uint8Array) => SignalData[Signal];
  /** The backend refused the request as over its size limit: the batch is sent again in halves, not dropped. */
  tooLarge: (err: unknown) => boolean;
}

export class OtlpSenders {
  readonly consumers: SignalConsumers = {};
  private readonly senders: QueuedSender<Signal>[] = [];

  constructor(o: OtlpSendersOptions) {
    for (const signal of o.signals) {
      const partial = new PartialSuccessReporter(o.set, signal);
      const sender = createQueuedSender<Signal>({
        set: o.set, signal, queue: o.cfg.sending_queue, retry: o.cfg.retry_on_failure, timeoutMs: o.cfg.timeout,
        encoding: { encode: (d) => o.encode(signal, d), decode: (b) => o.decode(signal, b) },
        push: (batch, abort) =>
          sendSplitting(signal, batch, async (body) => {
            partial.reportBody(await o.request(signal, body, abort));
          }, (d) => o.encode(signal, d), o.tooLarge),
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
  }
}
