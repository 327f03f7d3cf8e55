// Receivers driven in-process get the same counting wrapper the pipeline graph puts around
// them (src/service/observe.ts), so tests can assert accepted / refused items.
import type { Consumer, SignalConsumers } from '../../src/component/consumer.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';
import { observeReceiver } from '../../src/service/observe.js';
import type { SelfTelemetry } from '../../src/telemetry/self.js';

export function observed<S extends Signal>(set: { telemetry: SelfTelemetry }, signal: S, c: Consumer<SignalData[S]>): Consumer<SignalData[S]> {
  return observeReceiver(set.telemetry, signal, c);
}

export function observedAll(set: { telemetry: SelfTelemetry }, consumers: SignalConsumers): SignalConsumers {
  const out: SignalConsumers = {};
  for (const [s, c] of Object.entries(consumers) as [Signal, Consumer<never>][])
    (out as Record<Signal, Consumer<SignalData[Signal]>>)[s] = observeReceiver(set.telemetry, s, c as Consumer<SignalData[Signal]>);
  return out;
}
