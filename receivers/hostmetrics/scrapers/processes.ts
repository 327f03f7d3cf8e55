// system.processes.* from /proc/stat (procs_running, procs_blocked, processes).
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';
import { statField } from '../../../src/procfs/index.js';

export const processesDefs: MetricDefs = {
  'system.processes.count': { description: 'Total number of processes in each state.', unit: '{processes}', kind: 'sum', int: true, enabled: true },
  'system.processes.created': { description: 'Total number of created processes.', unit: '{processes}', kind: 'sum', monotonic: true, int: true, enabled: true },
};

export class ProcessesScraper implements Scraper {
  readonly name = 'processes';
  readonly defs = processesDefs;

  scrape(b: MetricBuilder, env: ScrapeEnv): void {
    const stat = env.text(env.proc('stat'));
    b.add('system.processes.count', statField(stat, 'procs_running') ?? 0, { status: 'running' }, env.bootNs);
    b.add('system.processes.count', statField(stat, 'procs_blocked') ?? 0, { status: 'blocked' }, env.bootNs);
    const created = statField(stat, 'processes');
    if (created !== undefined) b.add('system.processes.created', created, {}, env.bootNs);
  }
}
