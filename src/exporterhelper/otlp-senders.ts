// The per-signal wiring both OTLP exporters (gRPC and HTTP) share: a queued sender per signal
// whose push sends one request, halves a batch the backend refuses as too large, and counts
// and logs a partial-success answer. The exporters supply only the request itself.
import type { CreateSettings, Host } from '../component/component.js';
import type { SignalConsumers } from '../component/consumer.js';
import type { PartialSuccess } from '../otlp/response.js';
import { splitHalf } from '../pdata/split.js';
import type { Signal, SignalData } from '../pdata/types.js';
import { Batch, concatBytes, type BatchEncoding } from './batch.js';
import { protoCodec } from './codec.js';
import type { RetryConfig, SendingQueueConfig } from './config.js';
import { PartialSuccessReporter } from './partial-success.js';
import { createQueuedSender } from './queued-sender.js';
import type { QueuedSender } from './api.js';
import { PartialDelivery } from './send.js';

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
  /**
   * The bodies are OTLP protobuf (ExportXServiceRequest): the persistent queue stores them as
   * they are (its protobuf codec), and queued requests join by concatenation, never decoded.
   */
  protobuf: boolean;
  /** The backend refused the request as over its size limit: the batch is sent again in halves, not dropped. */
  tooLarge: (err: unknown) => boolean;
}

export class OtlpSenders {
  readonly consumers: SignalConsumers = {};
  private readonly senders: QueuedSender<Signal>[] = [];

  constructor(o: OtlpSendersOptions) {
    for (const signal of o.signals) {
      const partial = new PartialSuccessReporter(o.set, signal);
      const encoding: BatchEncoding<Signal> = {
        codecId: o.protobuf ? protoCodec.id : undefined,
        encode: (d) => o.encode(signal, d),
        decode: (b) => o.decode(signal, b),
        merge: o.protobuf ? concatBytes : undefined,
      };
      const sender = createQueuedSender<Signal>({
        set: o.set, signal, queue: o.cfg.sending_queue, retry: o.cfg.retry_on_failure, timeoutMs: o.cfg.timeout,
        encoding,
        push: (batch, abort) =>
          sendSplitting(batch, async (body) => {
            partial.reportBody(await o.request(signal, body, abort));
          }, o.tooLarge, (b) => b.bytes ?? o.encode(signal, b.data)),
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

/**
 * Send a batch (its `bytes`, or its records encoded); when `tooLarge(err)` says the request
 * was too big, send it in halves instead. When a half got through and a later one fails, the
 * failure is a PartialDelivery: the retry sends only what is left.
 */
export async function sendSplitting<S extends Signal>(
  batch: Batch<S>,
  send: (body: Uint8Array) => Promise<void>,
  tooLarge: (err: unknown) => boolean,
  encode: (b: Batch<S>) => Uint8Array,
  depth = 0,
): Promise<void> {
  try {
    await send(encode(batch));
  } catch (err) {
    const halves = depth < 20 && tooLarge(err) && batch.decodable ? splitHalf(batch.signal, batch.data) : undefined;
    if (!halves) throw err;
    const [a, b] = halves.map((d) => Batch.of(batch.signal, d));
    await sendSplitting(a!, send, tooLarge, encode, depth + 1);
    try {
      await sendSplitting(b!, send, tooLarge, encode, depth + 1);
    } catch (e) {
      if (e instanceof PartialDelivery) throw new PartialDelivery(a!.items + e.delivered, e.rest, e.cause);
      throw new PartialDelivery(a!.items, b!, e);
    }
  }
}
