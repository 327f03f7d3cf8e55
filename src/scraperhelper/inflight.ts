// Bounded set of batches awaiting their delivery acknowledgement. Receivers that produce on a
// timer hand batches here instead of awaiting each one, so a stalled exporter costs at most
// `max` pending batches rather than an unbounded backlog. The bound is generous on purpose:
// with memory queues an acknowledgement waits for delivery, and a backend that is down for a
// while must not stop batches reaching the pipeline's other exporters (the down exporter's
// own queue is the buffer).
import type { Logger } from 'pino';
import type { MetricsConsumer } from '../component/consumer.js';
import type { MetricsData } from '../pdata/types.js';

/** 512 batches is 85 minutes at a 10s interval. */
export const MAX_IN_FLIGHT = 512;

export class InFlight {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly next: MetricsConsumer,
    private readonly log: Logger,
    /** Names the receiver in the refusal warning, e.g. 'hostmetrics'. */
    private readonly name: string,
    public max = MAX_IN_FLIGHT,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  get full(): boolean {
    return this.pending.size >= this.max;
  }

  /** Hands `data` (holding `points` items) downstream without awaiting it; a refusal is logged (the core counts it). */
  send(data: MetricsData, points: number): void {
    const p: Promise<void> = this.next.consume(data).then(
      () => undefined,
      (err: unknown) => {
        this.log.warn({ err: err instanceof Error ? err.message : String(err), points }, `${this.name} batch refused`);
      },
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Settles once every batch handed over so far is acknowledged or refused. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
