// The receiving end of the bus (see bus.ts): an analysis processor placed in a pipeline of the
// other signal passes that pipeline's data through untouched and injects what its twin publishes.
// Items in and out are counted by the service; injected ones are counted here as well.
import type { CreateSettings, Host, Processor } from '../component/component.js';
import type { Consumer } from '../component/consumer.js';
import { countItems } from '../pdata/count.js';
import type { Signal, SignalData } from '../pdata/types.js';
import { bus } from './bus.js';

export class EventInjector<S extends Signal> implements Processor<SignalData[S]> {
  /** Passes its pipeline's batches on untouched. */
  readonly capabilities = { mutatesData: false };
  private unsubscribe?: () => void;

  constructor(
    set: CreateSettings,
    signal: S,
    private next: Consumer<SignalData[S]>,
  ) {
    const injected = set.telemetry.counter('telemd_processor_injected_items_total', 'Items a processor added from its twin in another pipeline', { signal });
    // Subscribe at creation: the twin may publish as soon as its pipeline starts.
    this.unsubscribe = bus.subscribe(set.id.id, signal, async (data) => {
      injected.add(countItems(signal, data));
      await this.next.consume(data);
    });
  }

  async start(_host: Host): Promise<void> {}

  async shutdown(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  consume(data: SignalData[S]): Promise<void> {
    return this.next.consume(data);
  }
}

/**
 * An analysis processor in one pipeline: `make`'s processor in a pipeline of its own signal,
 * else the injector of what its twin there publishes.
 */
export function withTwin<S extends Signal, P extends Signal>(
  set: CreateSettings,
  signal: S,
  next: Consumer<SignalData[S]>,
  own: P,
  make: (next: Consumer<SignalData[P]>) => Processor<SignalData[P]>,
): Processor<SignalData[S]> {
  if ((signal as Signal) !== own) return new EventInjector(set, signal, next);
  return make(next as unknown as Consumer<SignalData[P]>) as unknown as Processor<SignalData[S]>;
}
