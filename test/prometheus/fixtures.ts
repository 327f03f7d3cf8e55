// Small OTLP-shaped inputs used by the prometheus tests.
import type { Attributes, Metric, MetricsData } from '../../src/pdata/types.js';
import type { Host, Kind } from '../../src/component/component.js';
import { testHost } from '../helpers/host.js';
import { testSettings, type TestSettings } from '../helpers/settings.js';

export function md(metrics: Metric[], resource: Attributes = { 'service.name': 'telemd', 'host.name': 'h1' }): MetricsData {
  return {
    resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 'test', version: '1.0' }, metrics }] }],
  };
}

export const T0 = 1_700_000_000_000n * 1_000_000n;

export function cpuTime(ts: bigint = T0, user = 12.5, idle = 100): Metric {
  return {
    name: 'system.cpu.time', unit: 's', description: 'Total seconds each logical CPU spent on each mode.',
    type: 'sum', isMonotonic: true, aggregationTemporality: 2,
    dataPoints: [
      { attributes: { cpu: 'cpu0', state: 'user' }, startTimeUnixNano: T0, timeUnixNano: ts, value: user },
      { attributes: { cpu: 'cpu0', state: 'idle' }, startTimeUnixNano: T0, timeUnixNano: ts, value: idle },
    ],
  };
}

/** Labelled `{<kind>: <id>}` (an exporter unless told), as the agent does. */
export function settings(id = 'prometheus', kind: Kind = 'exporter'): TestSettings {
  return testSettings(id, kind);
}

/** A Host for components driven in-process (no extensions, no storage). */
export const host: Host = testHost();
