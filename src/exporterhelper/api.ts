import type { Consumer } from '../component/consumer.js';
import type { CreateSettings, Lifecycle } from '../component/component.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { RetryConfig, SendingQueueConfig } from './config.js';

/**
 * What an exporter writes: push one batch. Throw ConsumerError.permanent for data the backend
 * refuses for good (it is counted and dropped); anything else is retried with backoff.
 * `signal` aborts the attempt at the timeout or on shutdown.
 */
export type PushFn<S extends Signal> = (data: SignalData[S], abort: AbortSignal) => Promise<void>;

export interface QueuedSenderOptions<S extends Signal> {
  set: CreateSettings;
  signal: S;
  queue: SendingQueueConfig;
  retry: RetryConfig;
  timeoutMs: number;
  push: PushFn<S>;
}

/**
 * Queue + retry + timeout + self-metrics around a push function (the Collector's
 * exporterhelper). `consumer.consume` resolves once the batch is durably accepted: written to
 * the persistent queue, or (memory queue / queue disabled) delivered.
 */
export interface QueuedSender<S extends Signal> extends Lifecycle {
  consumer: Consumer<SignalData[S]>;
}
