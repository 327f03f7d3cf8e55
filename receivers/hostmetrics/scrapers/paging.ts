// system.paging.* from /proc/swaps, /proc/meminfo and /proc/vmstat.
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';
import { fields, lines, parseKeyValues } from '../../../src/procfs/index.js';

export const pagingDefs: MetricDefs = {
  'system.paging.usage': { description: 'Swap (unix) or pagefile (windows) usage.', unit: 'By', kind: 'sum', int: true, enabled: true },
  'system.paging.operations': { description: 'The number of paging operations.', unit: '{operations}', kind: 'sum', monotonic: true, int: true, enabled: true },
  'system.paging.faults': { description: 'The number of page faults.', unit: '{faults}', kind: 'sum', monotonic: true, int: true, enabled: true },
  'system.paging.utilization': { description: 'Swap (unix) or pagefile (windows) utilization.', unit: '1', kind: 'gauge', enabled: false },
};

export interface SwapArea {
  device: string;
  size: number;
  used: number;
}

export function parseSwaps(text: string): SwapArea[] {
  return lines(text)
    .slice(1)
    .map(fields)
    .filter((f) => f.length >= 4)
    .map((f) => ({ device: f[0]!.replace(/\\040/g, ' '), size: Number(f[2]) * 1024, used: Number(f[3]) * 1024 }));
}

export class PagingScraper implements Scraper {
  readonly name = 'paging';
  readonly defs = pagingDefs;

  scrape(b: MetricBuilder, env: ScrapeEnv): void {
    const boot = env.bootNs;
    if (b.on('system.paging.usage') || b.on('system.paging.utilization')) {
      const areas = parseSwaps(env.text(env.proc('swaps')));
      for (const a of areas) {
        b.add('system.paging.usage', a.used, { device: a.device, state: 'used' }, boot);
        b.add('system.paging.usage', a.size - a.used, { device: a.device, state: 'free' }, boot);
        if (a.size > 0) {
          b.add('system.paging.utilization', a.used / a.size, { device: a.device, state: 'used' }, 0n);
          b.add('system.paging.utilization', (a.size - a.used) / a.size, { device: a.device, state: 'free' }, 0n);
        }
      }
      // Swap pages also held in RAM (SwapCached) are host-wide, not per device.
      if (areas.length) {
        const cached = parseKeyValues(env.text(env.proc('meminfo')), true).get('SwapCached') ?? 0;
        b.add('system.paging.usage', cached, { device: '', state: 'cached' }, boot);
      }
    }
    if (b.on('system.paging.operations') || b.on('system.paging.faults')) {
      const vm = parseKeyValues(env.text(env.proc('vmstat')));
      const g = (k: string) => vm.get(k) ?? 0;
      // Swap-ins/outs are the expensive (major) operations; pgpgin/pgpgout all page I/O.
      b.add('system.paging.operations', g('pswpin'), { direction: 'page_in', type: 'major' }, boot);
      b.add('system.paging.operations', g('pswpout'), { direction: 'page_out', type: 'major' }, boot);
      b.add('system.paging.operations', g('pgpgin'), { direction: 'page_in', type: 'minor' }, boot);
      b.add('system.paging.operations', g('pgpgout'), { direction: 'page_out', type: 'minor' }, boot);
      b.add('system.paging.faults', g('pgmajfault'), { type: 'major' }, boot);
      b.add('system.paging.faults', g('pgfault') - g('pgmajfault'), { type: 'minor' }, boot);
    }
  }
}
