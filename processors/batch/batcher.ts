// Batches items per pipeline. Acknowledgements stay per input: an input's promise settles when
// every output batch holding part of it has settled (the Vector finalizer idea: one shared
// settlement per batch, so the cost is per batch, not per item).
import type { CreateSettings, Processor } from '../../src/component/component.js';
import { asConsumerError, type Consumer } from '../../src/component/consumer.js';
import { countItems, emptyData } from '../../src/pdata/count.js';
import { appendBatch, splitItems } from '../../src/pdata/split.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';
import type { Config } from './config.js';

/** The acknowledgement of one input batch, settled once all its parts are. */
class Ack {
  parts = 0;
  /** Part of the input still waits in the buffer. */
  buffered = true;
  error: unknown;
  constructor(
    private readonly resolve: () => void,
    private readonly reject: (e: unknown) => void,
  ) {}
  partDone(err?: unknown): void {
    if (err !== undefined && this.error === undefined) this.error = err;
    this.parts--;
    this.maybeSettle();
  }
  maybeSettle(): void {
    if (this.buffered || this.parts > 0) return;
    if (this.error === undefined) this.resolve();
    else this.reject(this.error);
  }
}

export class BatchProcessor<S extends Signal> implements Processor<SignalData[S]> {
  /** Inputs' resources are appended to its own buffer and split by copying containers: inputs stay as they were. */
  readonly capabilities = { mutatesData: false };
  private buffer: SignalData[S];
  private items = 0;
  /** Inputs with data in the buffer. */
  private waiting = new Set<Ack>();
  private timer?: NodeJS.Timeout;
  private inflight = new Set<Promise<void>>();
  /** An idle flush is scheduled for the end of this turn (inputs of one turn go together). */
  private idleSoon = false;
  private readonly sizeTrigger;
  private readonly timeoutTrigger;
  private readonly idleTrigger;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
    private readonly signal: S,
    private readonly next: Consumer<SignalData[S]>,
  ) {
    this.buffer = emptyData(signal);
    this.sizeTrigger = this.counter('size');
    this.timeoutTrigger = this.counter('timeout');
    this.idleTrigger = this.counter('idle');
  }

  private counter(trigger: string) {
    return this.set.telemetry.counter('telemd_processor_batch_sent_total', 'Batches sent, by what triggered them', {
      signal: this.signal,
      trigger,
    });
  }

  async start(): Promise<void> {}

  consume(data: SignalData[S]): Promise<void> {
    const n = countItems(this.signal, data);
    if (n === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const ack = new Ack(resolve, reject);
      appendBatch(this.signal, this.buffer, data);
      this.items += n;
      this.waiting.add(ack);
      const target = this.cfg.send_batch_size;
      if (this.cfg.timeout === 0 || (target > 0 && this.items >= target)) {
        this.sizeTrigger.add();
        this.flush(this.cfg.timeout === 0 ? Infinity : target);
      }
      if (this.items === 0) return;
      // Nothing in flight downstream: send now (at the end of this turn, so that inputs handed
      // over together go together). Otherwise what is left gathers company while the next stage
      // is busy, sent when it is idle again, at send_batch_size, or at `timeout` at the latest.
      if (this.inflight.size === 0) this.flushWhenIdle();
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.timeoutTrigger.add();
        this.flush(Infinity);
      }, this.cfg.timeout);
    });
  }

  private flushWhenIdle(): void {
    if (this.idleSoon) return;
    this.idleSoon = true;
    queueMicrotask(() => {
      this.idleSoon = false;
      if (this.items === 0 || this.inflight.size > 0) return;
      this.idleTrigger.add();
      this.flush(Infinity);
    });
  }

  /** Sends full batches while at least `threshold` items wait (Infinity: send everything). */
  private flush(threshold: number): void {
    const max = this.cfg.send_batch_max_size > 0 ? this.cfg.send_batch_max_size : Infinity;
    while (this.items > 0 && (threshold === Infinity || this.items >= threshold)) {
      let out: SignalData[S];
      let n: number;
      if (this.items <= max) {
        out = this.buffer;
        n = this.items;
        this.buffer = emptyData(this.signal);
      } else {
        const [head, rest] = splitItems(this.signal, this.buffer, max);
        out = head;
        n = max;
        this.buffer = rest;
      }
      this.items -= n;
      // Every waiting input contributes to this batch; those fully sent leave the waiting set.
      const acks = [...this.waiting];
      for (const a of acks) a.parts++;
      if (this.items === 0) {
        for (const a of acks) a.buffered = false;
        this.waiting.clear();
      }
      this.send(out, acks);
    }
    if (this.items === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private send(out: SignalData[S], acks: Ack[]): void {
    const p = this.next.consume(out).then(
      () => {
        for (const a of acks) a.partDone();
      },
      (err: unknown) => {
        const e = asConsumerError(err);
        for (const a of acks) a.partDone(e);
      },
    );
    this.inflight.add(p);
    void p.finally(() => {
      this.inflight.delete(p);
      // The next stage is idle again: what gathered meanwhile goes now.
      if (this.inflight.size === 0 && this.items > 0) this.flushWhenIdle();
    });
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush(Infinity);
    await Promise.allSettled([...this.inflight]);
  }
}
