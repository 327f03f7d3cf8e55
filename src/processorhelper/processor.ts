// Shared shell for processors: counts items in/out/dropped per signal and skips empty batches,
// so each processor only writes its transformation.
import type { CreateSettings, Host, Processor } from '../component/component.js';
import { ConsumerError, type Consumer } from '../component/consumer.js';
import { countItems, resourceList } from '../pdata/count.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { Counter } from '../telemetry/self.js';

// Items in and out of every processor are counted by the service (src/service/observe.ts);
// only what a processor decides itself is counted here.
export interface ProcessorCounters {
  dropped: Counter;
  refused: Counter;
}

export function processorCounters(set: CreateSettings, signal: Signal): ProcessorCounters {
  const l = { signal };
  const t = set.telemetry;
  return {
    dropped: t.counter('telemd_processor_dropped_items_total', 'Items the processor dropped on purpose', l),
    refused: t.counter('telemd_processor_refused_items_total', 'Items refused (memory_limiter: retryable; a failed batch: permanently)', l),
  };
}

/** Transform one batch in place; return the batch to pass on, or undefined when nothing is left. */
export type ProcessFn<S extends Signal> = (data: SignalData[S]) => SignalData[S] | undefined;

export interface ProcessorHooks {
  start?(host: Host): Promise<void>;
  shutdown?(): Promise<void>;
}

export class SimpleProcessor<S extends Signal> implements Processor<SignalData[S]> {
  readonly counters: ProcessorCounters;
  /** `fn` transforms the batch in place. */
  readonly capabilities = { mutatesData: true };

  private readonly set: CreateSettings;

  constructor(
    set: CreateSettings,
    readonly signal: S,
    private readonly next: Consumer<SignalData[S]>,
    private readonly fn: ProcessFn<S>,
    private readonly hooks: ProcessorHooks = {},
  ) {
    this.set = set;
    this.counters = processorCounters(set, signal);
  }

  async start(host: Host): Promise<void> {
    await this.hooks.start?.(host);
  }

  async shutdown(): Promise<void> {
    await this.hooks.shutdown?.();
  }

  async consume(data: SignalData[S]): Promise<void> {
    let n = 0;
    let out: SignalData[S] | undefined;
    try {
      n = countItems(this.signal, data);
      out = this.fn(data);
    } catch (err) {
      // Retrying the same batch would fail the same way: refuse it for good, counted and logged.
      this.counters.refused.add(n);
      const msg = err instanceof Error ? err.message : String(err);
      this.set.logger.error({ err: msg, signal: this.signal, items: n }, 'processor failed on a batch; refusing it');
      throw ConsumerError.permanent(`${this.set.id.id}: ${msg}`, { cause: err, rejectedItems: n });
    }
    const m = out ? countItems(this.signal, out) : 0;
    if (n > m) this.counters.dropped.add(n - m);
    // An emptied batch is an intended drop: acknowledge without bothering downstream.
    if (!out || resourceList(this.signal, out).length === 0) return;
    await this.next.consume(out);
  }
}
