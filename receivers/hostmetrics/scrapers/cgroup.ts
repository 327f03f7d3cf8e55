// CPU and memory usage and limits of control groups: the agent's own cgroup and, with
// `services: true`, each systemd service under system.slice. cgroup v2 (unified) and v1
// (cpu/cpuacct + memory hierarchies) are both read; hybrid hosts use the v1 controllers.
import { readdirSync } from 'node:fs';
import type { Attributes } from '../../../src/pdata/types.js';
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';
import { lines, readText, tryReadText } from '../../../src/procfs/index.js';

export const cgroupDefs: MetricDefs = {
  'system.cgroup.cpu.time': { description: 'CPU seconds used by the tasks of the cgroup.', unit: 's', kind: 'sum', monotonic: true, enabled: true },
  'system.cgroup.cpu.limit': { description: 'CPU quota of the cgroup in CPUs (quota/period); absent when unlimited.', unit: '{cpu}', kind: 'gauge', enabled: true },
  'system.cgroup.memory.usage': { description: 'Memory charged to the cgroup.', unit: 'By', kind: 'sum', int: true, enabled: true },
  'system.cgroup.memory.limit': { description: 'Memory limit of the cgroup; absent when unlimited.', unit: 'By', kind: 'sum', int: true, enabled: true },
};

// v1 reports "no limit" as a page-aligned LONG_MAX.
const V1_UNLIMITED = 2 ** 62;

interface Group {
  /** Path inside the hierarchy, e.g. /system.slice/nginx.service. */
  path: string;
  unit?: string;
  cpuDir?: string;
  memDir?: string;
}

export interface Layout {
  v2: boolean;
  /** v2: the unified mount; v1: controller → mount dir. */
  base: string;
  cpuBase?: string;
  memBase?: string;
  self: { cpu?: string; mem?: string; unified?: string };
}

/** Which hierarchy is mounted and where our own cgroup is, from /proc/self/cgroup. */
export function detectLayout(env: ScrapeEnv, selfCgroup: string): Layout {
  const base = env.sys('fs/cgroup');
  const self: Layout['self'] = {};
  for (const line of lines(selfCgroup)) {
    const [, ctrls, path] = line.split(/:(.*?):/) as [string, string, string];
    if (path === undefined) continue;
    const list = ctrls.split(',');
    if (ctrls === '') self.unified = path;
    if (list.includes('cpuacct')) self.cpu = path;
    if (list.includes('memory')) self.mem = path;
  }
  const v2 = tryReadText(`${base}/cgroup.controllers`) !== undefined;
  if (v2) return { v2, base, self };
  const dirs = readdirSync(base);
  const find = (c: string) => dirs.filter((d) => d.split(',').includes(c)).map((d) => `${base}/${d}`)[0];
  return { v2, base, cpuBase: find('cpuacct'), memBase: find('memory'), self };
}

export class CgroupScraper implements Scraper {
  readonly name = 'cgroup';
  readonly defs = cgroupDefs;
  private layout?: Layout;
  private firstSeen = new Map<string, bigint>();

  constructor(private readonly services: boolean) {}

  scrape(b: MetricBuilder, env: ScrapeEnv): void {
    const l = (this.layout ??= detectLayout(env, readText(env.root ? env.proc('1/cgroup') : '/proc/self/cgroup')));
    const groups: Group[] = [];
    if (l.v2) {
      const p = l.self.unified ?? '/';
      groups.push({ path: p, cpuDir: l.base + p, memDir: l.base + p });
    } else {
      const p = l.self.mem ?? l.self.cpu ?? '/';
      groups.push({ path: p, cpuDir: l.cpuBase && l.cpuBase + (l.self.cpu ?? '/'), memDir: l.memBase && l.memBase + (l.self.mem ?? '/') });
    }
    if (this.services) groups.push(...this.serviceGroups(l));
    const seen = new Set<string>();
    for (const g of groups) {
      if (seen.has(g.path)) continue;
      seen.add(g.path);
      this.one(b, l.v2, g);
    }
    for (const k of this.firstSeen.keys()) if (!seen.has(k)) this.firstSeen.delete(k);
  }

  private serviceGroups(l: Layout): Group[] {
    const out: Group[] = [];
    const list = (dir: string | undefined) => {
      try {
        return dir ? readdirSync(`${dir}/system.slice`).filter((n) => n.endsWith('.service')) : [];
      } catch {
        return [];
      }
    };
    if (l.v2) for (const u of list(l.base)) out.push({ path: `/system.slice/${u}`, unit: u, cpuDir: `${l.base}/system.slice/${u}`, memDir: `${l.base}/system.slice/${u}` });
    else {
      const units = new Set([...list(l.cpuBase), ...list(l.memBase)]);
      for (const u of units) out.push({ path: `/system.slice/${u}`, unit: u, cpuDir: l.cpuBase && `${l.cpuBase}/system.slice/${u}`, memDir: l.memBase && `${l.memBase}/system.slice/${u}` });
    }
    return out;
  }

  private one(b: MetricBuilder, v2: boolean, g: Group): void {
    const attrs: Attributes = g.unit ? { 'cgroup.path': g.path, 'systemd.unit': g.unit } : { 'cgroup.path': g.path };
    let start = this.firstSeen.get(g.path);
    if (start === undefined) this.firstSeen.set(g.path, (start = b.now));
    const num = (p: string | undefined) => {
      const t = p && tryReadText(p);
      return t ? Number(t.trim()) : undefined;
    };
    if (v2) {
      const usec = /^usage_usec (\d+)$/m.exec(tryReadText(`${g.cpuDir}/cpu.stat`) ?? '');
      if (usec) b.add('system.cgroup.cpu.time', Number(usec[1]) / 1e6, attrs, start);
      const max = tryReadText(`${g.cpuDir}/cpu.max`)?.trim().split(' ');
      if (max && max[0] !== 'max') b.add('system.cgroup.cpu.limit', Number(max[0]) / Number(max[1]), attrs, 0n);
      const cur = num(`${g.memDir}/memory.current`);
      if (cur !== undefined) b.add('system.cgroup.memory.usage', cur, attrs, start);
      const mmax = tryReadText(`${g.memDir}/memory.max`)?.trim();
      if (mmax && mmax !== 'max') b.add('system.cgroup.memory.limit', Number(mmax), attrs, start);
      return;
    }
    const ns = num(g.cpuDir && `${g.cpuDir}/cpuacct.usage`);
    if (ns !== undefined) b.add('system.cgroup.cpu.time', ns / 1e9, attrs, start);
    // The quota lives in the cpu controller, usually co-mounted with cpuacct; else a sibling mount.
    const cpuCtl = g.cpuDir?.replace(/\/cpuacct(\/|$)/, '/cpu$1');
    const quota = num(`${g.cpuDir}/cpu.cfs_quota_us`) ?? num(cpuCtl && `${cpuCtl}/cpu.cfs_quota_us`);
    const period = num(`${g.cpuDir}/cpu.cfs_period_us`) ?? num(cpuCtl && `${cpuCtl}/cpu.cfs_period_us`);
    if (quota !== undefined && period && quota > 0) b.add('system.cgroup.cpu.limit', quota / period, attrs, 0n);
    const used = num(g.memDir && `${g.memDir}/memory.usage_in_bytes`);
    if (used !== undefined) b.add('system.cgroup.memory.usage', used, attrs, start);
    const lim = num(g.memDir && `${g.memDir}/memory.limit_in_bytes`);
    if (lim !== undefined && lim < V1_UNLIMITED) b.add('system.cgroup.memory.limit', lim, attrs, start);
  }
}
