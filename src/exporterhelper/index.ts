export type { PushFn, QueuedSender, QueuedSenderOptions } from './api.js';
export { effectiveWhenFull, retrySchema, sendingQueueSchema, timeoutSchema, type RetryConfig, type SendingQueueConfig } from './config.js';
export { createQueuedSender } from './queued-sender.js';
export { Backoff } from './backoff.js';
export { Batch, type BatchEncoding } from './batch.js';
export { codecById, jsonCodec, protoCodec, v8Codec, type Codec } from './codec.js';
