// system.uptime from /proc/uptime.
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';

export const systemDefs: MetricDefs = {
  'system.uptime': { description: 'The time the system has been running.', unit: 's', kind: 'gauge', enabled: true },
};

export class SystemScraper implements Scraper {
  readonly name = 'system';
  readonly defs = systemDefs;
  scrape(b: MetricBuilder, env: ScrapeEnv): void {
    b.add('system.uptime', Number(env.text(env.proc('uptime')).split(' ')[0]), {}, 0n);
  }
}
