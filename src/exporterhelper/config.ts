import { s, type Infer } from '../config/schema.js';

/** `sending_queue`, as in the Collector's exporterhelper. */
export const sendingQueueSchema = s.object({
  enabled: s.boolean().default(true).describe('queue batches and send them in the background'),
  num_consumers: s.int({ min: 1 }).default(2).describe('parallel senders'),
  queue_size: s.int({ min: 1 }).default(1000).describe('capacity, in units of `sizer`'),
  sizer: s.enum(['requests', 'items', 'bytes'] as const).default('requests').describe('what queue_size counts'),
  storage: s.string().optional().describe('id of a file_storage extension: makes the queue persistent'),
  when_full: s
    .enum(['block', 'drop_oldest', 'drop_newest'] as const)
    .default('block')
    .describe('block = backpressure to receivers; drops are counted'),
  max_disk_size: s.size().default('1GiB').describe('cap on the persistent queue on disk'),
  // Collector keys, so that its configs run unchanged (mapped onto when_full).
  block_on_overflow: s.boolean().optional().describe('Collector key: true = when_full block, false = drop_newest'),
  blocking: s.boolean().optional().describe('older Collector name of block_on_overflow'),
  wait_for_result: s
    .boolean()
    .optional()
    .describe('Collector key, accepted: telemd always acknowledges at delivery (memory) or on disk (persistent)'),
});
export type SendingQueueConfig = Infer<typeof sendingQueueSchema>;

/** `retry_on_failure`: exponential backoff with jitter. */
export const retrySchema = s.object({
  enabled: s.boolean().default(true),
  initial_interval: s.duration().default('5s'),
  max_interval: s.duration().default('30s'),
  max_elapsed_time: s.duration().default('300s').describe('0 = retry forever'),
  multiplier: s.number({ min: 1 }).default(1.5),
  randomization_factor: s.number({ min: 0, max: 1 }).default(0.5),
});
export type RetryConfig = Infer<typeof retrySchema>;

export const timeoutSchema = s.duration().default('5s');

/** when_full after the Collector's block_on_overflow / blocking, which win when set. */
export function effectiveWhenFull(q: SendingQueueConfig): SendingQueueConfig['when_full'] {
  const b = q.block_on_overflow ?? q.blocking;
  return b === undefined ? q.when_full : b ? 'block' : 'drop_newest';
}
