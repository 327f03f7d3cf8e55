// system.cpu.load_average.* from /proc/loadavg.
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';
import { fields } from '../../../src/procfs/index.js';
import { logicalCount } from './cpu.js';

const d = (w: string) => ({ description: `Average CPU Load over ${w}.`, unit: '{thread}', kind: 'gauge' as const, enabled: true });
export const loadDefs: MetricDefs = {
  'system.cpu.load_average.1m': d('1 minute'),
  'system.cpu.load_average.5m': d('5 minutes'),
  'system.cpu.load_average.15m': d('15 minutes'),
};

export class LoadScraper implements Scraper {
  readonly name = 'load';
  readonly defs = loadDefs;
  constructor(private readonly cpuAverage: boolean) {}

  scrape(b: MetricBuilder, env: ScrapeEnv): void {
    const f = fields(env.text(env.proc('loadavg')));
    const div = this.cpuAverage ? Math.max(1, logicalCount(env)) : 1;
    b.add('system.cpu.load_average.1m', Number(f[0]) / div, {}, 0n);
    b.add('system.cpu.load_average.5m', Number(f[1]) / div, {}, 0n);
    b.add('system.cpu.load_average.15m', Number(f[2]) / div, {}, 0n);
  }
}
