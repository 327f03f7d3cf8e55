// system.memory.* from /proc/meminfo. The states add up to MemTotal exactly:
//   used = MemTotal - MemFree - Buffers - Cached - SReclaimable - SUnreclaim
// (the Collector counts SReclaimable in both `cached` and `slab_reclaimable`, so its states
// overshoot the total; here each byte is in exactly one state).
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';
import { parseKeyValues } from '../../../src/procfs/index.js';

export const memoryDefs: MetricDefs = {
  'system.memory.usage': { description: 'Bytes of memory in use, by state.', unit: 'By', kind: 'sum', int: true, enabled: true },
  'system.memory.utilization': { description: 'Fraction of memory in use, by state.', unit: '1', kind: 'gauge', enabled: false },
  'system.memory.limit': { description: 'Total bytes of memory available.', unit: 'By', kind: 'sum', int: true, enabled: false },
  'system.linux.memory.available': { description: 'An estimate of how much memory is available for starting new applications, without swapping (MemAvailable).', unit: 'By', kind: 'sum', int: true, enabled: false },
  'system.linux.memory.dirty': { description: 'Memory waiting to be written back to disk (Dirty).', unit: 'By', kind: 'sum', int: true, enabled: false },
};

export function memoryStates(mi: Map<string, number>): [string, number][] {
  const g = (k: string) => mi.get(k) ?? 0;
  const total = g('MemTotal');
  const parts: [string, number][] = [
    ['free', g('MemFree')],
    ['buffered', g('Buffers')],
    ['cached', g('Cached')],
    ['slab_reclaimable', g('SReclaimable')],
    ['slab_unreclaimable', g('SUnreclaim')],
  ];
  let rest = total;
  for (const [, v] of parts) rest -= v;
  return [['used', Math.max(0, rest)], ...parts];
}

export class MemoryScraper implements Scraper {
  readonly name = 'memory';
  readonly defs = memoryDefs;

  scrape(b: MetricBuilder, env: ScrapeEnv): void {
    const mi = parseKeyValues(env.text(env.proc('meminfo')), true);
    const total = mi.get('MemTotal') ?? 0;
    for (const [state, v] of memoryStates(mi)) {
      b.add('system.memory.usage', v, { state }, env.bootNs);
      if (total > 0) b.add('system.memory.utilization', v / total, { state }, 0n);
    }
    b.add('system.memory.limit', total, {}, env.bootNs);
    if (mi.has('MemAvailable')) b.add('system.linux.memory.available', mi.get('MemAvailable')!, {}, env.bootNs);
    if (mi.has('Dirty')) b.add('system.linux.memory.dirty', mi.get('Dirty')!, {}, env.bootNs);
  }
}
