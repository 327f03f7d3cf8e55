// system.cpu.* from /proc/stat, /sys/devices/system/cpu and /proc/cpuinfo.
import type { Attributes } from '../../../src/pdata/types.js';
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';
import { USER_HZ, fields, lines, tryReadText } from '../../../src/procfs/index.js';

export const cpuDefs: MetricDefs = {
  'system.cpu.time': { description: 'Seconds each logical CPU spent on each mode.', unit: 's', kind: 'sum', monotonic: true, enabled: true },
  'system.cpu.utilization': { description: 'Difference in system.cpu.time since the last measurement, divided by the elapsed time and number of logical CPUs.', unit: '1', kind: 'gauge', enabled: false },
  'system.cpu.frequency': { description: 'Current frequency of the CPU core in Hz.', unit: 'Hz', kind: 'gauge', enabled: false },
  'system.cpu.logical.count': { description: 'Number of available logical CPUs.', unit: '{cpu}', kind: 'sum', int: true, enabled: false },
  'system.cpu.physical.count': { description: 'Number of available physical CPUs.', unit: '{cpu}', kind: 'sum', int: true, enabled: false },
};

// Column order of /proc/stat cpu lines; guest and guest_nice are already inside user/nice.
const STATES = ['user', 'nice', 'system', 'idle', 'wait', 'interrupt', 'softirq', 'steal'] as const;

export interface CpuOptions {
  /** Emit one series per logical CPU (`cpu` attribute) instead of the host total. */
  perCpu: boolean;
}

export class CpuScraper implements Scraper {
  readonly name = 'cpu';
  readonly defs = cpuDefs;
  private prev = new Map<string, number[]>();

  constructor(private readonly opts: CpuOptions) {}

  scrape(b: MetricBuilder, env: ScrapeEnv): void {
    const rows = parseCpuLines(env.text(env.proc('stat')), this.opts.perCpu);
    const seen = new Map<string, number[]>();
    for (const { cpu, ticks } of rows) {
      const secs = ticks.map((t) => t / USER_HZ);
      seen.set(cpu, secs);
      for (let i = 0; i < STATES.length; i++) {
        const attrs: Attributes = this.opts.perCpu ? { cpu, state: STATES[i]! } : { state: STATES[i]! };
        b.add('system.cpu.time', secs[i]!, attrs, env.bootNs);
      }
      // Utilization needs two observations of the same CPU; a CPU that went offline or came
      // back (counters reset) is skipped for this round.
      const before = this.prev.get(cpu);
      if (before && b.on('system.cpu.utilization')) {
        let total = 0;
        const d = secs.map((v, i) => v - before[i]!);
        for (const x of d) total += x;
        if (total > 0 && d.every((x) => x >= 0))
          for (let i = 0; i < STATES.length; i++) {
            const attrs: Attributes = this.opts.perCpu ? { cpu, state: STATES[i]! } : { state: STATES[i]! };
            b.add('system.cpu.utilization', d[i]! / total, attrs, 0n);
          }
      }
    }
    this.prev = seen;

    if (b.on('system.cpu.logical.count')) b.add('system.cpu.logical.count', logicalCount(env), {}, env.bootNs);
    if (b.on('system.cpu.physical.count') || b.on('system.cpu.frequency')) {
      const info = tryReadText(env.proc('cpuinfo')) ?? '';
      if (b.on('system.cpu.physical.count')) b.add('system.cpu.physical.count', physicalCount(info), {}, env.bootNs);
      if (b.on('system.cpu.frequency')) for (const [cpu, hz] of frequencies(env, info)) b.add('system.cpu.frequency', hz, { cpu }, 0n);
    }
  }
}

/** Rows of /proc/stat: the `cpu` total, or the `cpuN` lines when perCpu. */
export function parseCpuLines(stat: string, perCpu: boolean): { cpu: string; ticks: number[] }[] {
  const out: { cpu: string; ticks: number[] }[] = [];
  for (const line of lines(stat)) {
    if (!line.startsWith('cpu')) continue;
    const f = fields(line);
    const name = f[0]!;
    if ((name === 'cpu') === perCpu) continue;
    const ticks: number[] = [];
    for (let i = 1; i <= STATES.length; i++) ticks.push(Number(f[i] ?? 0));
    out.push({ cpu: name, ticks });
  }
  return out;
}

/** Online CPUs from /sys/devices/system/cpu/online ("0-3,5"); falls back to /proc/stat. */
export function logicalCount(env: ScrapeEnv): number {
  const online = tryReadText(env.sys('devices/system/cpu/online'));
  if (online) return countRanges(online.trim());
  return parseCpuLines(env.text(env.proc('stat')), true).length;
}

export function countRanges(list: string): number {
  let n = 0;
  for (const part of list.split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a! + 1;
  }
  return n;
}

/** Distinct (physical id, core id) pairs; 1 per processor when the kernel hides topology. */
export function physicalCount(cpuinfo: string): number {
  const cores = new Set<string>();
  let phys = '0';
  let processors = 0;
  for (const line of lines(cpuinfo)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    if (k === 'processor') processors++;
    else if (k === 'physical id') phys = v;
    else if (k === 'core id') cores.add(`${phys}/${v}`);
  }
  return cores.size || processors;
}

/** Hz per CPU from cpufreq when present, else the "cpu MHz" lines of /proc/cpuinfo. */
function frequencies(env: ScrapeEnv, cpuinfo: string): [string, number][] {
  const out: [string, number][] = [];
  let idx = -1;
  for (const line of lines(cpuinfo)) {
    if (line.startsWith('processor')) idx = Number(line.split(':')[1]);
    else if (line.startsWith('cpu MHz') && idx >= 0) {
      const khz = tryReadText(env.sys(`devices/system/cpu/cpu${idx}/cpufreq/scaling_cur_freq`));
      const hz = khz ? Number(khz) * 1000 : Number(line.split(':')[1]) * 1e6;
      if (!Number.isNaN(hz)) out.push([`cpu${idx}`, hz]);
    }
  }
  return out;
}
