import type { Signal } from '../pdata/types.js';
import type { Batch } from './batch.js';
import type { Outcome } from './outcome.js';

/** One batch handed to a worker. */
export interface Lease<S extends Signal> {
  batch: Batch<S>;
  /** Fires when the queue gives up on this batch (dropped by drop_oldest): stop sending it. */
  cancelled?: AbortSignal;
  /** How sending ended (decided by outcome.ts): the queue resolves/rejects the producer or advances its ack. */
  settle(outcome: Outcome): void;
}

export interface SendQueue<S extends Signal> {
  /**
   * The queue acknowledges a batch once it is stored on disk, and it survives restarts: what
   * becomes of it afterwards is final (out of retries = dropped, not handed back).
   */
  readonly durable: boolean;
  /**
   * The queue serializes batches itself (a codec per record): callers hand it records, or
   * bytes only in a codec it stores as they are (BatchEncoding.codecId).
   */
  readonly ownEncoding: boolean;
  start(): Promise<void>;
  /** The delivery acknowledgement of `consume` (memory: delivered; persistent: fsync'd). */
  offer(batch: Batch<S>): Promise<void>;
  /** Next batch; undefined once the queue is stopped (or closed and empty). */
  take(): Promise<Lease<S> | undefined>;
  /** A batch that is queued now, without waiting for one (queue batching); undefined when none. */
  poll(): Promise<Lease<S> | undefined>;
  /** Resolves when a batch is queued (at once if one is), or the queue closes. */
  arrival(): Promise<void>;
  /** Stop accepting new batches. */
  close(): void;
  /** Wake idle workers with `undefined` and release what is left (memory: handed back to the producers). */
  stop(): Promise<void>;
  /** Units of the sizer queued now, and the capacity. */
  size(): number;
  capacity(): number;
}
