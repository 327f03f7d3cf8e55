// process.* per process from /proc/<pid>/{stat,status,io,cmdline,exe,fd}. Each process is its
// own resource (pid, parent pid, executable, command line, owner). Processes that vanish or
// that we may not read (io, exe of other users' processes when unprivileged) are counted,
// not logged per scrape.
import { readdirSync, readlinkSync } from 'node:fs';
import type { Attributes } from '../../../src/pdata/types.js';
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ResourceOut, ScrapeEnv, Scraper } from '../scraper.js';
import { USER_HZ, parseKeyValues, parsePasswd, readText, tryReadText } from '../../../src/procfs/index.js';
import { keep, type Matcher } from '../filter.js';

export const processDefs: MetricDefs = {
  'process.cpu.time': { description: 'Total CPU seconds broken down by different states.', unit: 's', kind: 'sum', monotonic: true, enabled: true },
  'process.memory.usage': { description: 'The amount of physical memory in use.', unit: 'By', kind: 'sum', int: true, enabled: true },
  'process.memory.virtual': { description: 'Virtual memory size.', unit: 'By', kind: 'sum', int: true, enabled: true },
  'process.disk.io': { description: 'Disk bytes transferred.', unit: 'By', kind: 'sum', monotonic: true, int: true, enabled: true },
  'process.disk.operations': { description: 'Number of disk operations performed by the process.', unit: '{operations}', kind: 'sum', monotonic: true, int: true, enabled: false },
  'process.memory.utilization': { description: 'Percentage of total physical memory that is used by the process.', unit: '1', kind: 'gauge', enabled: false },
  'process.threads': { description: 'Process threads count.', unit: '{threads}', kind: 'sum', int: true, enabled: false },
  'process.open_file_descriptors': { description: 'Number of file descriptors in use by the process.', unit: '{count}', kind: 'sum', int: true, enabled: false },
  'process.context_switches': { description: 'Number of times the process has been context switched.', unit: '{count}', kind: 'sum', monotonic: true, int: true, enabled: false },
  'process.paging.faults': { description: 'Number of page faults the process has made.', unit: '{faults}', kind: 'sum', monotonic: true, int: true, enabled: false },
};

export const PROCESS_RESOURCE_ATTRIBUTES: Record<string, boolean> = {
  'process.pid': true,
  'process.parent_pid': true,
  'process.executable.name': true,
  'process.executable.path': true,
  'process.command': true,
  'process.command_line': true,
  'process.owner': true,
};

export interface ProcessOptions {
  names: [Matcher | undefined, Matcher | undefined];
  resourceAttributes: Set<string>;
  /** Called once per process and kind of problem (vanished, io, exe, …). */
  onProblem(kind: string): void;
}

/** Fields of /proc/<pid>/stat after the `(comm)`, which may itself hold spaces and parens. */
export function parseStat(text: string): { comm: string; f: string[] } {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  return { comm: text.slice(open + 1, close), f: text.slice(close + 2).trim().split(' ') };
}

export class ProcessScraper implements Scraper {
  readonly name = 'process';
  readonly defs = processDefs;
  private users?: Map<number, string>;
  private pageSize = 4096;
  private memTotal = 0;

  constructor(private readonly opts: ProcessOptions) {}

  scrape(b: MetricBuilder, env: ScrapeEnv): ResourceOut[] {
    if (!this.users) this.init(env);
    if (b.on('process.memory.utilization')) this.memTotal = parseKeyValues(readText(env.proc('meminfo')), true).get('MemTotal') ?? 0;
    const out: ResourceOut[] = [];
    for (const name of readdirSync(env.proc(''))) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const r = this.one(b.fork(), env, name);
      if (r) out.push(r);
    }
    return out;
  }

  private init(env: ScrapeEnv): void {
    this.users = parsePasswd(tryReadText(`${env.root}/etc/passwd`));
    // Page size: resident pages (statm) against VmRSS of this process.
    const statm = tryReadText('/proc/self/statm')?.split(' ');
    const rssKb = parseKeyValues(tryReadText('/proc/self/status') ?? '').get('VmRSS');
    if (statm && rssKb && Number(statm[1]) > 0) {
      const ps = Math.round((rssKb * 1024) / Number(statm[1]) / 4096) * 4096;
      if (ps >= 4096) this.pageSize = ps;
    }
  }

  private one(b: MetricBuilder, env: ScrapeEnv, pid: string): ResourceOut | undefined {
    const dir = env.proc(pid);
    const statText = tryReadText(`${dir}/stat`);
    if (!statText) {
      this.opts.onProblem('vanished');
      return undefined;
    }
    const { comm, f } = parseStat(statText);
    if (!keep(this.opts.names[0], this.opts.names[1], comm)) return undefined;
    const n = (i: number) => Number(f[i] ?? 0);
    const start = env.bootNs + (BigInt(n(19)) * 1_000_000_000n) / BigInt(USER_HZ);

    b.add('process.cpu.time', n(11) / USER_HZ, { state: 'user' }, start);
    b.add('process.cpu.time', n(12) / USER_HZ, { state: 'system' }, start);
    b.add('process.cpu.time', n(39) / USER_HZ, { state: 'wait' }, start);
    const rss = n(21) * this.pageSize;
    b.add('process.memory.usage', rss, {}, start);
    b.add('process.memory.virtual', n(20), {}, start);
    if (this.memTotal > 0) b.add('process.memory.utilization', rss / this.memTotal, {}, 0n);
    b.add('process.threads', n(17), {}, start);
    b.add('process.paging.faults', n(9), { type: 'major' }, start);
    b.add('process.paging.faults', n(7), { type: 'minor' }, start);

    if (b.on('process.disk.io') || b.on('process.disk.operations')) {
      const io = tryReadText(`${dir}/io`);
      if (io) {
        const kv = parseKeyValues(io);
        b.add('process.disk.io', kv.get('read_bytes') ?? 0, { direction: 'read' }, start);
        b.add('process.disk.io', kv.get('write_bytes') ?? 0, { direction: 'write' }, start);
        b.add('process.disk.operations', kv.get('syscr') ?? 0, { direction: 'read' }, start);
        b.add('process.disk.operations', kv.get('syscw') ?? 0, { direction: 'write' }, start);
      } else this.opts.onProblem('io');
    }
    let status: Map<string, number> | undefined;
    let uid: number | undefined;
    const ra = this.opts.resourceAttributes;
    if (b.on('process.context_switches') || ra.has('process.owner')) {
      const st = tryReadText(`${dir}/status`) ?? '';
      status = parseKeyValues(st);
      const m = /^Uid:\s+(\d+)/m.exec(st);
      if (m) uid = Number(m[1]);
    }
    if (status) {
      b.add('process.context_switches', status.get('voluntary_ctxt_switches') ?? 0, { type: 'voluntary' }, start);
      b.add('process.context_switches', status.get('nonvoluntary_ctxt_switches') ?? 0, { type: 'involuntary' }, start);
    }
    if (b.on('process.open_file_descriptors')) {
      try {
        b.add('process.open_file_descriptors', readdirSync(`${dir}/fd`).length, {}, start);
      } catch {
        this.opts.onProblem('fd');
      }
    }

    const attrs: Attributes = {};
    if (ra.has('process.pid')) attrs['process.pid'] = BigInt(pid);
    if (ra.has('process.parent_pid')) attrs['process.parent_pid'] = BigInt(n(1));
    if (ra.has('process.executable.name')) attrs['process.executable.name'] = comm;
    if (ra.has('process.executable.path')) {
      try {
        attrs['process.executable.path'] = readlinkSync(`${dir}/exe`);
      } catch (e) {
        // Kernel threads have no executable (ENOENT); other users' processes may be unreadable.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.onProblem('exe');
      }
    }
    if (ra.has('process.command') || ra.has('process.command_line')) {
      const args = (tryReadText(`${dir}/cmdline`) ?? '').split('\0').filter((x) => x !== '');
      if (args.length) {
        if (ra.has('process.command')) attrs['process.command'] = args[0]!;
        if (ra.has('process.command_line')) attrs['process.command_line'] = args.join(' ');
      }
    }
    if (ra.has('process.owner') && uid !== undefined) attrs['process.owner'] = this.users!.get(uid) ?? String(uid);
    return { attributes: attrs, metrics: b.result() };
  }
}
