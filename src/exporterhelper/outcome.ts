// Who gives up on data, decided in one place. A send's result means different things behind
// different queues: out of retries is "handed back" when the producer still holds the data
// (memory queue, no queue: its acknowledgement waits for delivery) and "dropped" when a durable
// queue acknowledged it already. Every outcome is counted and logged here, once.
import type { Logger } from 'pino';
import { ConsumerError } from '../component/consumer.js';
import { delivered, dropped, handedBack, type Outcome } from '../component/outcome.js';
import type { Signal } from '../pdata/types.js';
import type { CreateSettings } from '../component/component.js';
import type { Counter } from '../telemetry/self.js';
import type { Batch } from './batch.js';
import { sampleOf } from './sample.js';
import type { SendResult } from './send.js';

export type { Outcome } from '../component/outcome.js';

/** The outcome of a send, for a queue that is (or is not) durable. */
export function decide(r: SendResult, durable: boolean): Outcome {
  switch (r.kind) {
    case 'delivered':
      return delivered;
    case 'refused':
      return dropped('refused', r.error);
    case 'exhausted':
      return durable ? dropped('retries_exhausted', r.error) : handedBack('retries_exhausted', r.error);
    case 'aborted':
      // Memory: refused back to the producer; persistent: left on disk for the next start.
      return handedBack('shutdown', ConsumerError.retryable(`not delivered before shutdown: ${r.error.message}`, { cause: r.error }));
  }
}

const MAX_CAUSES = 100;

/** Counts and logs outcomes: `dropped_items_total{reason}` and `handed_back_items_total{reason}`. */
export class OutcomeReporter {
  private readonly droppedBy = new Map<string, Counter>();
  private readonly handedBy = new Map<string, Counter>();
  private readonly causes = new Set<string>();
  private readonly logger: Logger;

  constructor(
    private readonly set: CreateSettings,
    private readonly signal: Signal,
  ) {
    this.logger = set.logger;
  }

  dropped(reason: string): Counter {
    let c = this.droppedBy.get(reason);
    if (!c) {
      c = this.set.telemetry.counter('telemd_exporter_dropped_items_total', 'Items the exporter gave up on for good (lost), by reason', { signal: this.signal, reason });
      this.droppedBy.set(reason, c);
    }
    return c;
  }

  handedBack(reason: string): Counter {
    let c = this.handedBy.get(reason);
    if (!c) {
      c = this.set.telemetry.counter(
        'telemd_exporter_handed_back_items_total',
        'Items the exporter refused back to its sender as retryable (not lost: the sender keeps them and sends them again), by reason',
        { signal: this.signal, reason },
      );
      this.handedBy.set(reason, c);
    }
    return c;
  }

  /** Count and log one outcome of `items` items; `batch` gives a sample for the log (names and shapes, never values). */
  report(o: Outcome, items: number, batch?: Batch<Signal>, log = true): void {
    if (o.kind === 'delivered') return;
    if (o.kind === 'handed_back') {
      this.handedBack(o.reason).add(items);
      if (!log) return;
      // The sender hears of it (503, a rewind); a line per outage is enough.
      if (o.reason === 'retries_exhausted')
        this.once(o, items, batch, 'warn', ['export failed, no more retries left: handed back to the sender, which keeps the data (retryable)', 'export failed, handed back (repeat)']);
      else this.logger.debug({ signal: this.signal, reason: o.reason, error: o.error.message, items }, 'batch handed back to its sender (retryable)');
      return;
    }
    this.dropped(o.reason).add(items);
    if (!log) return;
    const msgs: [string, string] =
      o.reason === 'refused'
        ? ['export refused permanently: dropping data (logged once per cause)', 'export refused permanently (repeat)']
        : o.reason === 'retries_exhausted'
          ? ['export failed, no more retries left: dropping data (logged once per cause)', 'export failed, out of retries (repeat)']
          : [`dropping data (${o.reason}; logged once per cause)`, `dropped (${o.reason}, repeat)`];
    this.once(o, items, batch, 'error', msgs);
  }

  // Once per distinct cause, with a sample, so a poisonous stream does not flood the log.
  private once(o: Exclude<Outcome, { kind: 'delivered' }>, items: number, batch: Batch<Signal> | undefined, level: 'warn' | 'error', [msg, repeat]: [string, string]): void {
    const key = `${o.kind}\u0000${o.reason}\u0000${o.error.message.slice(0, 200)}`;
    const fields = { signal: this.signal, reason: o.reason, error: o.error.message, [o.kind === 'dropped' ? 'dropped_items' : 'items']: items };
    if (this.causes.has(key)) return this.logger.debug(fields, repeat);
    if (this.causes.size >= MAX_CAUSES) {
      if (this.causes.size === MAX_CAUSES) {
        this.causes.add('\0overflow');
        this.logger.error({ signal: this.signal }, `more than ${MAX_CAUSES} distinct export failures; further ones are logged at debug`);
      }
      return this.logger.debug(fields, repeat);
    }
    this.causes.add(key);
    let sample: string | undefined;
    try {
      if (batch?.decodable) sample = sampleOf(this.signal, batch.data);
    } catch {
      // An unreadable request only loses its sample.
    }
    this.logger[level]({ ...fields, sample }, msg);
  }
}
