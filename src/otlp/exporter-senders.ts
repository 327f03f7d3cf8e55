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

/** Sends one request; resolves with a decoder of the backend's answer (run after success only). */
export type OtlpRequest = (signal: Signal, data: SignalData[Signal], abort: AbortSignal) => Promise<() => PartialSuccess | undefined>;

export interface OtlpSendersOptions {
  set: CreateSettings;
  signals: readonly Signal[];
  cfg: { sending_queue: SendingQueueConfig; retry_on_failure: RetryConfig; timeout: number };
  request: OtlpRequest;
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
        push: (data, abort) =>
          sendSplitting(signal, data, async (d) => {
            partial.reportBody(await o.request(signal, d, abort));
          }, o.tooLarge),
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
