// system.disk.* from /proc/diskstats (sectors are always 512 bytes there).
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';
import { fields, lines } from '../../../src/procfs/index.js';
import { keep, type Matcher } from '../filter.js';

const sum = (description: string, unit: string, int = true) => ({ description, unit, kind: 'sum' as const, monotonic: true, int, enabled: true });
export const diskDefs: MetricDefs = {
  'system.disk.io': sum('Disk bytes transferred.', 'By'),
  'system.disk.operations': sum('Disk operations count.', '{operations}'),
  'system.disk.io_time': sum('Time disk spent activated.', 's', false),
  'system.disk.operation_time': sum('Time spent in disk operations.', 's', false),
  'system.disk.weighted_io_time': sum('Time disk spent activated multiplied by the queue length.', 's', false),
  'system.disk.merged': sum('The number of disk reads/writes merged into single physical disk access operations.', '{operations}'),
  'system.disk.pending_operations': { description: 'The queue size of pending I/O operations.', unit: '{operations}', kind: 'sum', int: true, enabled: true },
};

export interface DiskRow {
  device: string;
  n: number[];
}

export function parseDiskstats(text: string): DiskRow[] {
  const out: DiskRow[] = [];
  for (const line of lines(text)) {
    const f = fields(line);
    if (f.length < 14) continue;
    out.push({ device: f[2]!, n: f.slice(3, 14).map(Number) });
  }
  return out;
}

export class DiskScraper implements Scraper {
  readonly name = 'disk';
  readonly defs = diskDefs;
  constructor(private readonly filter: [Matcher | undefined, Matcher | undefined]) {}

  scrape(b: MetricBuilder, env: ScrapeEnv): void {
    const boot = env.bootNs;
    for (const { device, n } of parseDiskstats(env.text(env.proc('diskstats')))) {
      if (!keep(this.filter[0], this.filter[1], device)) continue;
      // reads merged sectors ms | writes merged sectors ms | in-flight io_ms weighted_ms
      const [rOps, rMerged, rSect, rMs, wOps, wMerged, wSect, wMs, pending, ioMs, weightedMs] = n as [number, number, number, number, number, number, number, number, number, number, number];
      const r = { device, direction: 'read' };
      const w = { device, direction: 'write' };
      b.add('system.disk.io', rSect * 512, r, boot);
      b.add('system.disk.io', wSect * 512, w, boot);
      b.add('system.disk.operations', rOps, r, boot);
      b.add('system.disk.operations', wOps, w, boot);
      b.add('system.disk.operation_time', rMs / 1000, r, boot);
      b.add('system.disk.operation_time', wMs / 1000, w, boot);
      b.add('system.disk.merged', rMerged, r, boot);
      b.add('system.disk.merged', wMerged, w, boot);
      b.add('system.disk.io_time', ioMs / 1000, { device }, boot);
      b.add('system.disk.weighted_io_time', weightedMs / 1000, { device }, boot);
      b.add('system.disk.pending_operations', pending, { device }, boot);
    }
  }
}
