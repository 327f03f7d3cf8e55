import type { Consumer } from '../component/consumer.js';
import type { CreateSettings, Host, Lifecycle } from '../component/component.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { Batch, BatchEncoding } from './batch.js';
import type { Codec } from './codec.js';
import type { RetryConfig, SendingQueueConfig } from './config.js';

/**
 * What an exporter writes: push one batch. Throw ConsumerError.permanent for data the backend
 * refuses for good (it is counted and dropped); anything else is retried with backoff (a
 * ConsumerError.retryable with `retryAfterMs` sets the least wait before the next attempt), and
 * a PartialDelivery when part of the batch got through (the retry sends only its `rest`).
 * `abort` fires at the timeout or on shutdown. The batch may be pushed again after a failure,
 * so a push must not change it.
 */
export type PushFn<S extends Signal> = (batch: Batch<S>, abort: AbortSignal) => Promise<void>;

export interface QueuedSenderOptions<S extends Signal> {
  set: CreateSettings;
  signal: S;
  queue: SendingQueueConfig;
  retry: RetryConfig;
  /** Per attempt; 0 = none. */
  timeoutMs: number;
  push: PushFn<S>;
  /**
   * Encode batches when they are accepted: the queue then holds request bytes, and `push` gets
   * them in `batch.bytes`. A queue that stores its own encoding (persistent) takes them as they
   * are when `encoding.codecId` names a codec it stores, and records otherwise.
   */
  encoding?: BatchEncoding<S>;
  /** How the persistent queue serializes batches (default: OTLP protobuf, measured fastest and smallest). */
  codec?: Codec;
  /** Default drain time of `shutdown()` (memory queue), in ms. Default 10s. */
  shutdownTimeoutMs?: number;
  /** Persistent queue tuning (tests and benchmarks). */
  segmentBytes?: number;
  hotCacheBytes?: number;
  /** Jitter source (tests). */
  random?: () => number;
}

/**
 * Queue + retry + timeout + self-metrics around a push function (the Collector's
 * exporterhelper). `consumer.consume` resolves once the batch is durably accepted: written to
 * the persistent queue, or (memory queue / queue disabled) delivered.
 */
export interface QueuedSender<S extends Signal> extends Lifecycle {
  consumer: Consumer<SignalData[S]>;
  /** A batch the exporter prepared itself (e.g. request bytes made on arrival); acknowledged as `consume`. */
  offer(batch: Batch<S>): Promise<void>;
  start(host: Host): Promise<void>;
  /**
   * Memory queue / no queue: stop accepting, keep sending for up to `timeoutMs`, then abort and
   * hand back what is left (retryable). Persistent queue: stop, leave the rest on disk.
   */
  shutdown(timeoutMs?: number): Promise<void>;
}
