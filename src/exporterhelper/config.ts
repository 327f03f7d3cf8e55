import { ParseContext, s, type Infer } from '../config/schema.js';

/**
 * `sending_queue.batch`, as in the Collector: workers join queued requests into one export.
 * The sizes and the timeout are upper bounds on holding data, never a wait when the backend is
 * idle: a free worker sends at once when no other send is in flight, and joins what queued up
 * meanwhile otherwise.
 */
export const queueBatchSchema = s.object({
  flush_timeout: s.duration().default('200ms').describe('longest a request waits for others to join it while another send is in flight'),
  min_size: s.int({ min: 0 }).default(8192).describe('join queued requests until this size (in units of sizer); 0 = never join'),
  max_size: s.int({ min: 0 }).default(0).describe('never join beyond this size (0 = no limit); a single larger request is sent as it is'),
  sizer: s.enum(['items', 'bytes', 'requests'] as const).default('items').describe('what min_size and max_size count'),
});
export type QueueBatchConfig = Infer<typeof queueBatchSchema>;

/**
 * batch with `sending_queue.batch` absent: a persistent queue joins requests anyway (what it has
 * acknowledged and counts against queue_size is unchanged by it: records stay on disk until
 * settled), the memory queue does not (as in the Collector: its queue_size would then bound less).
 */
export function effectiveBatch(q: SendingQueueConfig): QueueBatchConfig {
  if (q.batch) return q.batch;
  const defaults = queueBatchSchema.parse({}, new ParseContext());
  return q.storage ? defaults : { ...defaults, min_size: 0 };
}

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
  batch: s
    .presence(queueBatchSchema)
    .describe('join queued requests into one export; absent: on with its defaults for a persistent queue, off for the memory queue (min_size: 0 turns it off)'),
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
  probe_interval: s
    .duration()
    .default('1s')
    .describe('telemd key: while every batch waits out its backoff, one is tried this often, so delivery resumes soon after the backend returns (0 = off)'),
});
export type RetryConfig = Infer<typeof retrySchema>;

export const timeoutSchema = s.duration().default('5s');

/** when_full after the Collector's block_on_overflow / blocking, which win when set. */
export function effectiveWhenFull(q: SendingQueueConfig): SendingQueueConfig['when_full'] {
  const b = q.block_on_overflow ?? q.blocking;
  return b === undefined ? q.when_full : b ? 'block' : 'drop_newest';
}
