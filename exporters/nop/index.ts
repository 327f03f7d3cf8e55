import { exporterFactory } from '../../src/component/component.js';
import type { SignalConsumers } from '../../src/component/consumer.js';
import { s } from '../../src/config/schema.js';
import { countItems } from '../../src/pdata/count.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';

// The Collector's nop exporter: accepts and discards. The discard is counted, so a config that
// was meant to send somewhere shows on the self-metrics what it does instead.
export const factory = exporterFactory<Record<string, never>>({
  type: 'nop',
  description: 'Accepts and discards everything (counted); a placeholder in Collector configs',
  config: s.object({}),
  signals: ['metrics', 'logs', 'traces'],
  create: (set, _cfg, signals) => {
    const consumers: SignalConsumers = {};
    for (const signal of signals) {
      const discarded = set.telemetry.counter('telemd_exporter_discarded_items_total', 'Items a nop exporter accepted and discarded on purpose', { signal });
      (consumers as Record<Signal, unknown>)[signal] = {
        consume: async (d: SignalData[Signal]) => discarded.add(countItems(signal, d)),
      };
    }
    return { consumers, start: async () => undefined, shutdown: async () => undefined };
  },
});
