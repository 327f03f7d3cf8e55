import type { CreateSettings, Exporter } from '../../src/component/component.js';
import type { SignalConsumers } from '../../src/component/consumer.js';
import { encodeJson } from '../../src/otlp/index.js';
import { countItems, resourceList } from '../../src/pdata/count.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';
import type { Counter } from '../../src/telemetry/self.js';
import { effectiveVerbosity, type Config } from './config.js';

/** Logs what passes: a count per batch, or every item with `verbosity: detailed`. */
export class DebugExporter implements Exporter {
  readonly consumers: SignalConsumers = {};
  private windowStart = 0;
  private inWindow = 0;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
    signals: readonly Signal[],
  ) {
    for (const s of signals) {
      const sent = set.telemetry.counter('telemd_exporter_sent_items_total', 'Items an exporter delivered', { signal: s });
      (this.consumers as Record<Signal, unknown>)[s] = { consume: async (d: SignalData[Signal]) => this.log(s, d, sent) };
    }
  }

  /** Sampling as in the Collector: the first N per second, then every Mth. */
  private sampled(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow++;
    if (this.inWindow <= this.cfg.sampling_initial) return true;
    return (this.inWindow - this.cfg.sampling_initial) % this.cfg.sampling_thereafter === 0;
  }

  private log<S extends Signal>(signal: S, data: SignalData[S], sent: Counter): void {
    const items = countItems(signal, data);
    sent.add(items);
    if (!this.sampled()) return;
    const summary = { signal, resources: resourceList(signal, data).length, items };
    const verbosity = effectiveVerbosity(this.cfg);
    if (verbosity === 'basic') this.set.logger.info(summary, 'debug exporter');
    else if (verbosity === 'normal') this.set.logger.info({ ...summary, data: JSON.parse(encodeJson(signal, data)) as unknown }, 'debug exporter');
    else this.set.logger.info({ ...summary, data: JSON.parse(encodeJson(signal, data)) as unknown }, 'debug exporter (detailed)');
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
