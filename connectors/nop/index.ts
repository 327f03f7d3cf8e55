import { connectorFactory, type Connector, type CreateSettings } from '../../src/component/component.js';
import { s } from '../../src/config/schema.js';
import { countItems } from '../../src/pdata/count.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';

// The Collector's nop connector (its test configs use it): accepts and discards, emits nothing.
// The discard is counted, as the nop exporter's is.
function nop<S extends Signal>(set: CreateSettings, signal: S): Connector<SignalData[S]> {
  const discarded = set.telemetry.counter('telemd_connector_discarded_items_total', 'Items a nop connector accepted and discarded on purpose', { signal });
  return {
    capabilities: { mutatesData: false },
    consume: async (d) => discarded.add(countItems(signal, d)),
    start: async () => {},
    shutdown: async () => {},
  };
}

export const factory = connectorFactory<Record<string, never>>({
  type: 'nop',
  description: 'Accepts and discards everything (counted), emits nothing; a placeholder in Collector configs',
  config: s.object({}),
  metricsToMetrics: (set) => nop(set, 'metrics'),
  metricsToLogs: (set) => nop(set, 'metrics'),
  metricsToTraces: (set) => nop(set, 'metrics'),
  logsToMetrics: (set) => nop(set, 'logs'),
  logsToLogs: (set) => nop(set, 'logs'),
  logsToTraces: (set) => nop(set, 'logs'),
  tracesToMetrics: (set) => nop(set, 'traces'),
  tracesToLogs: (set) => nop(set, 'traces'),
  tracesToTraces: (set) => nop(set, 'traces'),
});
