// The metrics of the systemd receiver: contrib's names (systemd.unit.state with the unit name as
// resource attribute, systemd.service.restarts, systemd.service.cpu.time) and telemd's load and
// sub state and time in the current state.
import type { MetricDef } from '../../src/checks/metrics.js';

export const ACTIVE_STATES = ['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance', 'refreshing'] as const;
export const LOAD_STATES = ['stub', 'loaded', 'not-found', 'bad-setting', 'error', 'merged', 'masked'] as const;

export const DEFS: Record<string, MetricDef> = {
  'systemd.unit.state': { description: '1 if the check resulted in active_state matching the current state, otherwise 0.', unit: '1', kind: 'sum', monotonic: false, int: true, enabled: true },
  'systemd.service.restarts': { description: 'Number of automatic restarts for the service (NRestarts).', unit: '{restarts}', kind: 'sum', monotonic: true, int: true, enabled: true },
  'systemd.service.cpu.time': { description: 'Total CPU time spent by this service (cgroup v2 cpu.stat).', unit: 'us', kind: 'sum', monotonic: true, int: true, enabled: true },
  'systemd.unit.load_state': { description: 'telemd: 1 for the load state of the unit, 0 for the others.', unit: '1', kind: 'sum', monotonic: false, int: true, enabled: true },
  'systemd.unit.sub_state': { description: 'telemd: 1 with the sub state of the unit (running, exited, dead, auto-restart, …); the previous sub state ends with a staleness marker.', unit: '1', kind: 'sum', monotonic: false, int: true, enabled: true },
  'systemd.unit.state.duration': { description: 'telemd: time since the unit entered its current active state (StateChangeTimestamp).', unit: 's', kind: 'gauge', enabled: true },
};
