// `semconv: latest`: rename metrics and attributes from the Collector's defaults to the
// current OpenTelemetry semantic conventions (system, process and network namespaces).
import type { Attributes, Metric } from '../../src/pdata/types.js';

const ATTRS: Record<string, Record<string, string>> = {
  cpu: { state: 'cpu.mode', cpu: 'cpu.logical_number' },
  memory: { state: 'system.memory.state' },
  paging: { state: 'system.paging.state', type: 'system.paging.type', direction: 'system.paging.direction', device: 'system.device' },
  disk: { device: 'system.device', direction: 'disk.io.direction' },
  filesystem: { device: 'system.device', state: 'system.filesystem.state', type: 'system.filesystem.type', mode: 'system.filesystem.mode', mountpoint: 'system.filesystem.mountpoint' },
  network: { device: 'network.interface.name', direction: 'network.io.direction', protocol: 'network.transport', state: 'network.connection.state' },
  processes: { status: 'process.state' },
  process: { state: 'cpu.mode', direction: 'disk.io.direction', type: 'process.context_switch_type' },
};

// Where one scraper's attribute means different things in different metrics.
const METRIC_ATTRS: Record<string, Record<string, string>> = {
  'process.paging.faults': { type: 'system.paging.type' },
};

const NAMES: Record<string, string> = {
  'system.processes.count': 'system.process.count',
  'system.processes.created': 'system.process.created',
  'system.network.connections': 'system.network.connection.count',
  'system.network.dropped': 'system.network.packet.dropped',
  'system.network.packets': 'system.network.packet.count',
  'process.open_file_descriptors': 'process.unix.file_descriptor.count',
  'process.threads': 'process.thread.count',
};

// Values that changed spelling, keyed by the new attribute name.
const VALUES: Record<string, Record<string, string>> = {
  'cpu.mode': { wait: 'iowait' },
  'system.paging.direction': { page_in: 'in', page_out: 'out' },
  'network.connection.state': {
    ESTABLISHED: 'established', SYN_SENT: 'syn_sent', SYN_RECV: 'syn_received', FIN_WAIT_1: 'fin_wait_1',
    FIN_WAIT_2: 'fin_wait_2', TIME_WAIT: 'time_wait', CLOSE: 'close', CLOSE_WAIT: 'close_wait',
    LAST_ACK: 'last_ack', LISTEN: 'listen', CLOSING: 'closing', DELETE: 'delete',
  },
};

function renameAttrs(a: Attributes, map: Record<string, string>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(a)) {
    const nk = map[k] ?? k;
    const vm = VALUES[nk];
    out[nk] = vm && typeof v === 'string' ? (vm[v] ?? v) : v;
  }
  return out;
}

export function toLatest(scraper: string, metrics: Metric[]): Metric[] {
  const map = ATTRS[scraper] ?? {};
  for (const m of metrics) {
    const attrMap = METRIC_ATTRS[m.name] ? { ...map, ...METRIC_ATTRS[m.name] } : map;
    m.name = NAMES[m.name] ?? m.name;
    if (m.type === 'sum' || m.type === 'gauge') for (const p of m.dataPoints) p.attributes = renameAttrs(p.attributes, attrMap);
  }
  return metrics;
}
