export type { PushFn, QueuedSender, QueuedSenderOptions } from './api.js';
export { effectiveWhenFull, queueBatchSchema, retrySchema, sendingQueueSchema, type QueueBatchConfig, timeoutSchema, type RetryConfig, type SendingQueueConfig } from './config.js';
export { createQueuedSender } from './queued-sender.js';
export { Backoff } from './backoff.js';
export { Batch, concatBytes, type BatchEncoding } from './batch.js';
export { PartialDelivery } from './send.js';
export { decide, OutcomeReporter, type Outcome } from './outcome.js';
export { codecById, jsonCodec, protoCodec, v8Codec, type Codec } from './codec.js';
