// The receiving end of the bus (see bus.ts): an analysis processor placed in a pipeline of the
// other signal passes that pipeline's data through untouched and injects what its twin publishes.
import type { CreateSettings, Host, Processor } from '../component/component.js';
import type { Consumer } from '../component/consumer.js';
import { countItems } from '../pdata/count.js';
import type { Signal, SignalData } from '../pdata/types.js';
import { processorCounters, type ProcessorCounters } from '../processorhelper/processor.js';
import { bus } from './bus.js';

export class EventInjector<S extends Signal> implements Processor<SignalData[S]> {
  private unsubscribe?: () => void;
  private counters: ProcessorCounters;

  constructor(
    set: CreateSettings,
    private signal: S,
    private next: Consumer<SignalData[S]>,
  ) {
    this.counters = processorCounters(set, signal);
    // Subscribe at creation: the twin may publish as soon as its pipeline starts.
    this.unsubscribe = bus.subscribe(set.id.id, signal, async (data) => {
      const n = countItems(signal, data);
      this.counters.outgoing.add(n);
      await this.next.consume(data);
    });
  }

  async start(_host: Host): Promise<void> {}

  async shutdown(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  async consume(data: SignalData[S]): Promise<void> {
    const n = countItems(this.signal, data);
    this.counters.incoming.add(n);
    this.counters.outgoing.add(n);
    await this.next.consume(data);
  }
}
