import type { Signal } from '../pdata/types.js';
import type { Batch } from './batch.js';
import type { Outcome } from './send.js';

/** One batch handed to a worker. */
export interface Lease<S extends Signal> {
  batch: Batch<S>;
  /** Fires when the queue gives up on this batch (dropped by drop_oldest): stop sending it. */
  cancelled?: AbortSignal;
  /** Report how sending ended; the queue resolves/rejects the producer or advances its ack. */
  settle(outcome: Outcome): void;
}

export interface SendQueue<S extends Signal> {
  start(): Promise<void>;
  /** The delivery acknowledgement of `consume` (memory: delivered; persistent: fsync'd). */
  offer(batch: Batch<S>): Promise<void>;
  /** Next batch; undefined once the queue is stopped (or closed and empty). */
  take(): Promise<Lease<S> | undefined>;
  /** Stop accepting new batches. */
  close(): void;
  /** Wake idle workers with `undefined` and release what is left (memory: count as dropped). */
  stop(): Promise<void>;
  /** Units of the sizer queued now, and the capacity. */
  size(): number;
  capacity(): number;
}
