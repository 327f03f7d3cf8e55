// system.network.* from /proc/net/dev, /proc/net/tcp{,6} and netfilter's conntrack counters.
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';
import { fields, lines, tryReadText } from '../../../src/procfs/index.js';
import { keep, type Matcher } from '../filter.js';

export const networkDefs: MetricDefs = {
  'system.network.io': { description: 'The number of bytes transmitted and received.', unit: 'By', kind: 'sum', monotonic: true, int: true, enabled: true },
  'system.network.packets': { description: 'The number of packets transferred.', unit: '{packets}', kind: 'sum', monotonic: true, int: true, enabled: true },
  'system.network.errors': { description: 'The number of errors encountered.', unit: '{errors}', kind: 'sum', monotonic: true, int: true, enabled: true },
  'system.network.dropped': { description: 'The number of packets dropped.', unit: '{packets}', kind: 'sum', monotonic: true, int: true, enabled: true },
  // Off by default, unlike the Collector: each read of /proc/net/tcp{,6} walks the kernel's
  // whole TCP hash table (262144 buckets on a 24 GiB host): ~6 ms CPU per file, measured.
  'system.network.connections': { description: 'The number of connections.', unit: '{connections}', kind: 'sum', int: true, enabled: false },
  'system.network.conntrack.count': { description: 'The count of entries in conntrack table.', unit: '{entries}', kind: 'sum', int: true, enabled: false },
  'system.network.conntrack.max': { description: 'The limit for entries in the conntrack table.', unit: '{entries}', kind: 'sum', int: true, enabled: false },
};

export interface DevCounters {
  device: string;
  rx: number[]; // bytes packets errs drop
  tx: number[];
}

/** The metric of each rx/tx column of DevCounters. */
const DEV_METRICS = ['system.network.io', 'system.network.packets', 'system.network.errors', 'system.network.dropped'];

export function parseNetDev(text: string): DevCounters[] {
  const out: DevCounters[] = [];
  for (const line of lines(text)) {
    const c = line.indexOf(':');
    if (c < 0 || line.includes('|')) continue;
    const f = fields(line.slice(c + 1));
    const n = f.map(Number);
    out.push({ device: line.slice(0, c).trim(), rx: [n[0]!, n[1]!, n[2]!, n[3]!], tx: [n[8]!, n[9]!, n[10]!, n[11]!] });
  }
  return out;
}

// /proc/net/tcp `st` column (hex) → the names the Collector uses.
export const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT_1',
  '05': 'FIN_WAIT_2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/** Connections by TCP state over the given /proc/net/tcp-format tables. */
export function countTcpStates(tables: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of Object.values(TCP_STATES)) counts.set(name, 0);
  for (const t of tables) {
    let pos = t.indexOf('\n') + 1; // skip the header
    while (pos > 0 && pos < t.length) {
      const end = t.indexOf('\n', pos);
      const line = t.slice(pos, end < 0 ? t.length : end);
      pos = end < 0 ? t.length : end + 1;
      // "  sl  local_address rem_address   st ..." — st is the 4th field.
      const f = fields(line);
      const st = f[3] ? TCP_STATES[f[3].toUpperCase()] : undefined;
      if (st) counts.set(st, counts.get(st)! + 1);
    }
  }
  return counts;
}

export class NetworkScraper implements Scraper {
  readonly name = 'network';
  readonly defs = networkDefs;
  constructor(private readonly filter: [Matcher | undefined, Matcher | undefined]) {}

  scrape(b: MetricBuilder, env: ScrapeEnv): void {
    const boot = env.bootNs;
    for (const d of parseNetDev(env.text(env.proc('net/dev')))) {
      if (!keep(this.filter[0], this.filter[1], d.device)) continue;
      for (let i = 0; i < DEV_METRICS.length; i++) {
        b.add(DEV_METRICS[i]!, d.rx[i]!, { device: d.device, direction: 'receive' }, boot);
        b.add(DEV_METRICS[i]!, d.tx[i]!, { device: d.device, direction: 'transmit' }, boot);
      }
    }
    if (b.on('system.network.connections')) {
      const tables = [tryReadText(env.proc('net/tcp')), tryReadText(env.proc('net/tcp6'))].filter((x): x is string => x !== undefined);
      for (const [state, n] of countTcpStates(tables)) b.add('system.network.connections', n, { protocol: 'tcp', state }, boot);
    }
    if (b.on('system.network.conntrack.count')) {
      const v = tryReadText(env.proc('sys/net/netfilter/nf_conntrack_count'));
      if (v) b.add('system.network.conntrack.count', Number(v), {}, boot);
    }
    if (b.on('system.network.conntrack.max')) {
      const v = tryReadText(env.proc('sys/net/netfilter/nf_conntrack_max'));
      if (v) b.add('system.network.conntrack.max', Number(v), {}, boot);
    }
  }
}
