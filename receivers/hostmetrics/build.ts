// Turns the `scrapers:` config into scraper instances with their enabled metric sets.
import type { ScrapersConfig } from './config.js';
import { compileMatch, type Matcher } from './filter.js';
import { enabledSet, type MetricDefs, type Toggles } from './metrics.js';
import type { Scraper } from './scraper.js';
import { CpuScraper, cpuDefs } from './scrapers/cpu.js';
import { DiskScraper, diskDefs } from './scrapers/disk.js';
import { FilesystemScraper, filesystemDefs } from './scrapers/filesystem.js';
import { LoadScraper, loadDefs } from './scrapers/load.js';
import { MemoryScraper, memoryDefs } from './scrapers/memory.js';
import { NetworkScraper, networkDefs } from './scrapers/network.js';
import { PagingScraper, pagingDefs } from './scrapers/paging.js';
import { ProcessesScraper, processesDefs } from './scrapers/processes.js';
import { PROCESS_RESOURCE_ATTRIBUTES, ProcessScraper, processDefs } from './scrapers/process.js';
import { SystemScraper, systemDefs } from './scrapers/system.js';
import { CgroupScraper, cgroupDefs } from './scrapers/cgroup.js';

export const DEFS: Record<keyof ScrapersConfig, MetricDefs> = {
  cpu: cpuDefs,
  memory: memoryDefs,
  load: loadDefs,
  filesystem: filesystemDefs,
  network: networkDefs,
  disk: diskDefs,
  paging: pagingDefs,
  processes: processesDefs,
  process: processDefs,
  system: systemDefs,
  uptime: systemDefs,
  cgroup: cgroupDefs,
};

export interface Built {
  scraper: Scraper;
  enabled: Set<string>;
}

type ListCfg = { match_type: 'strict' | 'regexp' } & Record<string, unknown>;
function pair(inc: ListCfg | undefined, exc: ListCfg | undefined, key: string): [Matcher | undefined, Matcher | undefined] {
  const m = (c: ListCfg | undefined) => c && compileMatch({ items: (c[key] as string[]) ?? [], matchType: c.match_type });
  return [m(inc), m(exc)];
}

export function buildScrapers(cfg: ScrapersConfig, statfsTimeoutMs: number, onProblem: (scraper: string, kind: string) => void = () => {}): Built[] {
  const out: Built[] = [];
  const add = (scraper: Scraper, t: Toggles) => out.push({ scraper, enabled: enabledSet(scraper.defs, t) });
  if (cfg.cpu) add(new CpuScraper({ perCpu: cfg.cpu.per_cpu }), cfg.cpu.metrics);
  if (cfg.memory) add(new MemoryScraper(), cfg.memory.metrics);
  if (cfg.load) add(new LoadScraper(cfg.load.cpu_average), cfg.load.metrics);
  if (cfg.filesystem) {
    const f = cfg.filesystem;
    add(
      new FilesystemScraper({
        includeVirtual: f.include_virtual_filesystems,
        devices: pair(f.include_devices, f.exclude_devices, 'devices'),
        fsTypes: pair(f.include_fs_types, f.exclude_fs_types, 'fs_types'),
        mountPoints: pair(f.include_mount_points, f.exclude_mount_points, 'mount_points'),
        statfsTimeoutMs,
      }),
      f.metrics,
    );
  }
  if (cfg.network) add(new NetworkScraper(pair(cfg.network.include, cfg.network.exclude, 'interfaces')), cfg.network.metrics);
  if (cfg.disk) add(new DiskScraper(pair(cfg.disk.include, cfg.disk.exclude, 'devices')), cfg.disk.metrics);
  if (cfg.paging) add(new PagingScraper(), cfg.paging.metrics);
  if (cfg.processes) add(new ProcessesScraper(), cfg.processes.metrics);
  const system = cfg.system ?? cfg.uptime;
  if (system) add(new SystemScraper(), system.metrics);
  if (cfg.cgroup) add(new CgroupScraper(cfg.cgroup.services), cfg.cgroup.metrics);
  if (cfg.process) {
    const p = cfg.process;
    const ra = new Set(
      Object.entries(PROCESS_RESOURCE_ATTRIBUTES)
        .filter(([k, on]) => p.resource_attributes[k]?.enabled ?? on)
        .map(([k]) => k),
    );
    add(new ProcessScraper({ names: pair(p.include, p.exclude, 'names'), resourceAttributes: ra, onProblem: (k) => onProblem('process', k) }), p.metrics);
  }
  return out;
}

/** Config problems the schema cannot see: bad regexps, no scraper. */
export function validateScrapers(cfg: ScrapersConfig): string[] {
  const errs: string[] = [];
  const entries = Object.entries(cfg).filter(([, v]) => v !== undefined) as [keyof ScrapersConfig, { metrics: Toggles } & Record<string, unknown>][];
  if (cfg.system && cfg.uptime) errs.push('scrapers.uptime: the older name of scrapers.system; set one of them');
  if (entries.length === 0) errs.push('scrapers: at least one scraper must be configured (cpu, memory, load, filesystem, network, disk, …)');
  for (const [name, sc] of entries) {
    for (const [k, v] of Object.entries(sc)) {
      const l = v as ListCfg | undefined;
      if (!l || typeof l !== 'object' || l.match_type !== 'regexp') continue;
      for (const [lk, items] of Object.entries(l))
        if (Array.isArray(items))
          for (const p of items as string[])
            try {
              new RegExp(p);
            } catch (e) {
              errs.push(`scrapers.${name}.${k}.${lk}: invalid regexp ${JSON.stringify(p)}: ${(e as Error).message}`);
            }
    }
  }
  return errs;
}
