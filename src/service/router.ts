import type { PipelineRouter } from '../component/component.js';
import { ConsumerError, type Consumer } from '../component/consumer.js';
import { countItems } from '../pdata/count.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { Counter, SelfTelemetry } from '../telemetry/self.js';
import { fanout } from './fanout.js';

export interface Route<T> {
  /** The pipeline's first stage. */
  head: Consumer<T>;
  /** Whether the pipeline changes what it is given (it then gets its own copy when shared). */
  mutates: boolean;
}

/**
 * The receiver side of one connector pair: the pipelines it feeds, all or by id. The graph sets
 * the routes when it wires (and again on reload); what `consumer(ids)` returned stays valid.
 */
export class Router<S extends Signal> implements PipelineRouter<SignalData[S]> {
  private routes = new Map<string, Route<SignalData[S]>>();
  private all: Consumer<SignalData[S]>;
  private byIds = new Map<string, Consumer<SignalData[S]>>();
  private readonly outgoing: Counter;

  constructor(
    private readonly signal: S,
    readonly pipelineIds: readonly string[],
    private readonly label: string,
    telemetry: SelfTelemetry,
  ) {
    this.outgoing = telemetry.counter('telemd_connector_outgoing_items_total', 'Items a connector passed to the pipelines it feeds', { signal });
    this.all = { consume: () => Promise.reject(ConsumerError.retryable(`${label} is not wired yet`)) };
  }

  setRoutes(routes: Map<string, Route<SignalData[S]>>): void {
    this.routes = routes;
    this.all = this.fan(this.pipelineIds);
    this.byIds.clear();
  }

  private fan(ids: readonly string[]): Consumer<SignalData[S]> {
    const rs = ids.map((id) => {
      const r = this.routes.get(id);
      if (!r) throw new Error(`${this.label} does not feed pipeline "${id}"`);
      return r;
    });
    return fanout(
      rs.map((r) => r.head),
      rs.map((r) => r.mutates),
    );
  }

  consume(data: SignalData[S]): Promise<void> {
    this.outgoing.add(countItems(this.signal, data));
    return this.all.consume(data);
  }

  consumer(ids: readonly string[]): Consumer<SignalData[S]> {
    for (const id of ids) if (!this.pipelineIds.includes(id)) throw new Error(`${this.label} does not feed pipeline "${id}" (it feeds ${this.pipelineIds.join(', ')})`);
    const key = [...ids].sort().join('\u0000');
    return {
      consume: (data) => {
        let c = this.byIds.get(key);
        if (!c) this.byIds.set(key, (c = this.fan(ids)));
        this.outgoing.add(countItems(this.signal, data));
        return c.consume(data);
      },
    };
  }
}
