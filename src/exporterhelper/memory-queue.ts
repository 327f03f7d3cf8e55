import { ConsumerError } from '../component/consumer.js';
import { handedBack, type Outcome } from '../component/outcome.js';
import type { Signal } from '../pdata/types.js';
import type { Batch } from './batch.js';
import type { SendingQueueConfig } from './config.js';
import type { Lease, SendQueue } from './queue.js';

interface Entry<S extends Signal> {
  batch: Batch<S>;
  items: number;
  units: number;
  resolve(): void;
  reject(e: ConsumerError): void;
}

export type Sizer<S extends Signal> = (batch: Batch<S>) => number;

/** Where a queue reports the outcomes it decides itself (a full queue, a shutdown). */
export interface OutcomeSink {
  /** `log: false` when the caller logs the event itself (with details only it has). */
  report(o: Outcome, items: number, batch?: Batch<Signal>, log?: boolean): void;
}

/**
 * In-memory FIFO. An offer settles only when its batch was delivered (or finally refused), so
 * the receiver's acknowledgement still means "delivered", and whatever the queue cannot deliver
 * goes back to the producer as retryable: handed back, never dropped. Capacity counts queued
 * batches (not those being sent), in units of the sizer.
 */
export class MemoryQueue<S extends Signal> implements SendQueue<S> {
  readonly durable = false;
  readonly ownEncoding = false;
  private q: Entry<S>[] = [];
  private head = 0;
  private used = 0;
  private blocked: Entry<S>[] = [];
  private takers: ((e: Entry<S> | undefined) => void)[] = [];
  private arrivals: (() => void)[] = [];
  private closed = false;
  private stopped = false;

  constructor(
    private readonly cfg: SendingQueueConfig,
    private readonly sizer: Sizer<S>,
    private readonly outcomes: OutcomeSink,
  ) {}

  async start(): Promise<void> {}

  size(): number {
    return this.used;
  }
  capacity(): number {
    return this.cfg.queue_size;
  }
  private length(): number {
    return this.q.length - this.head;
  }
  // A batch larger than the whole queue still goes through when the queue is empty.
  private fits(units: number): boolean {
    return this.used === 0 || this.used + units <= this.cfg.queue_size;
  }

  offer(batch: Batch<S>): Promise<void> {
    if (this.closed) return Promise.reject(ConsumerError.retryable('exporter is shutting down'));
    const units = this.sizer(batch);
    return new Promise<void>((resolve, reject) => this.admit({ batch, items: batch.items, units, resolve, reject }));
  }

  /** Refuse an entry back to its producer (retryable), counted as handed back. */
  private handBack(e: Entry<S>, reason: string, error: ConsumerError): void {
    this.outcomes.report(handedBack(reason, error), e.items, e.batch);
    e.reject(error);
  }

  private admit(e: Entry<S>): void {
    const mode = this.cfg.when_full;
    if (mode === 'drop_newest' && !this.fits(e.units))
      return this.handBack(e, 'queue_full', ConsumerError.retryable(`sending queue is full (${this.used}/${this.cfg.queue_size} ${this.cfg.sizer})`));
    if (mode === 'drop_oldest') {
      while (!this.fits(e.units) && this.length() > 0)
        this.handBack(this.shift()!, 'queue_full', ConsumerError.retryable('evicted from a full sending queue (when_full: drop_oldest)'));
    }
    // block: wait in line (FIFO, a newcomer never overtakes) = backpressure on the receiver.
    if (mode === 'block' && (this.blocked.length > 0 || !this.fits(e.units))) {
      this.blocked.push(e);
      return;
    }
    this.enqueue(e);
  }

  private enqueue(e: Entry<S>): void {
    const taker = this.takers.shift();
    if (taker) return taker(e);
    this.q.push(e);
    this.used += e.units;
    for (const a of this.arrivals.splice(0)) a();
  }

  private pump(): void {
    while (this.blocked.length > 0 && this.fits(this.blocked[0]!.units)) this.enqueue(this.blocked.shift()!);
  }

  private shift(): Entry<S> | undefined {
    if (this.length() === 0) return undefined;
    const e = this.q[this.head]!;
    this.q[this.head++] = undefined as unknown as Entry<S>;
    if (this.head > 1024 && this.head * 2 > this.q.length) {
      this.q = this.q.slice(this.head);
      this.head = 0;
    }
    this.used -= e.units;
    return e;
  }

  private lease(entry: Entry<S>): Lease<S> {
    return {
      batch: entry.batch,
      settle: (o: Outcome) => (o.kind === 'delivered' ? entry.resolve() : entry.reject(o.error)),
    };
  }

  async take(): Promise<Lease<S> | undefined> {
    if (this.stopped) return undefined;
    let e = this.shift();
    if (e) this.pump();
    else {
      if (this.closed) return undefined;
      e = await new Promise<Entry<S> | undefined>((r) => this.takers.push(r));
      if (!e) return undefined;
    }
    return this.lease(e);
  }

  async poll(): Promise<Lease<S> | undefined> {
    if (this.stopped) return undefined;
    const e = this.shift();
    if (!e) return undefined;
    this.pump();
    return this.lease(e);
  }

  arrival(): Promise<void> {
    if (this.length() > 0 || this.closed) return Promise.resolve();
    return new Promise((r) => this.arrivals.push(r));
  }

  close(): void {
    this.closed = true;
    for (const b of this.blocked.splice(0)) this.handBack(b, 'shutdown', ConsumerError.retryable('exporter is shutting down'));
    for (const a of this.arrivals.splice(0)) a();
    if (this.length() === 0) for (const t of this.takers.splice(0)) t(undefined);
  }

  async stop(): Promise<void> {
    this.close();
    this.stopped = true;
    for (const t of this.takers.splice(0)) t(undefined);
    let e: Entry<S> | undefined;
    while ((e = this.shift())) this.handBack(e, 'shutdown', ConsumerError.retryable('not delivered before the shutdown timeout'));
  }
}
