// Bridges @opentelemetry/api metrics onto telemd's self-metrics registry, so that code (and
// libraries) instrumented with the standard API show up on the self-metrics endpoint.
import {
  createNoopMeter,
  metrics,
  type Attributes,
  type Counter,
  type Gauge,
  type Meter,
  type MetricOptions,
  type UpDownCounter,
} from '@opentelemetry/api';
import type { Labels, MetricRegistry } from './self.js';

function promName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}

function labels(attrs?: Attributes): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined) out[promName(k)] = String(v);
  return out;
}

/** Counters, up-down counters and gauges land in the registry; the rest stays no-op. */
function registryMeter(reg: MetricRegistry): Meter {
  const noop = createNoopMeter();
  const meter: Meter = Object.create(noop) as Meter;
  meter.createCounter = (name: string, options?: MetricOptions): Counter => {
    const n = `${promName(name)}_total`;
    return { add: (v, a) => reg.counter(n, options?.description ?? name, labels(a)).add(v) };
  };
  meter.createUpDownCounter = (name: string, options?: MetricOptions): UpDownCounter => {
    const n = promName(name);
    return { add: (v, a) => reg.gauge(n, options?.description ?? name, labels(a)).add(v) };
  };
  meter.createGauge = (name: string, options?: MetricOptions): Gauge => {
    const n = promName(name);
    return { record: (v, a) => reg.gauge(n, options?.description ?? name, labels(a)).set(v) };
  };
  return meter;
}

/** Makes `metrics.getMeter(...)` record into `registry`. */
export function installGlobalMeter(registry: MetricRegistry): void {
  const meter = registryMeter(registry);
  metrics.disable();
  metrics.setGlobalMeterProvider({ getMeter: () => meter });
}
