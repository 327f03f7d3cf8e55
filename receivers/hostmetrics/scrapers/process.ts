// process.* per process from /proc/<pid>/{stat,io} every scrape, {status,cmdline,exe} when a
// process is new, exec'd or due for a refresh. Each process is its own resource (pid, parent
// pid, executable, command line, owner). stat and io stay open between scrapes: one pread each
// per scrape, parsed as bytes. A kept descriptor belongs to the process it was opened for (a
// new process reusing the pid has a new /proc entry; the old descriptor reads ESRCH), and the
// start time is checked where no descriptor is kept. Processes that vanish or that we may not
// read (io, exe of other users' processes when unprivileged) are counted, not logged.
import { readdirSync, readlinkSync } from 'node:fs';
import { AggregationTemporality, type Attributes, type Metric, type NumberDataPoint } from '../../../src/pdata/types.js';
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ResourceOut, ScrapeEnv, Scraper } from '../scraper.js';
import { KeptFile, USER_HZ, numberAfter, parseColonValues, parseKeyValues, parsePasswd, parseStatBytes, readOnce, statField, tryReadText } from '../../../src/procfs/index.js';
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
  /** Called for each object and kind of problem met in a scrape (vanished, io, exe, …). */
  onProblem(kind: string): void;
}

/** Fields of /proc/<pid>/stat after the `(comm)`, which may itself hold spaces and parens. */
export function parseStat(text: string): { comm: string; f: string[] } {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  return { comm: text.slice(open + 1, close), f: text.slice(close + 2).trim().split(' ') };
}

// Indices into the parsed stat fields (0 = state, then ppid …; proc(5) numbering minus 3).
const PPID = 1, FLAGS = 6, MINFLT = 7, MAJFLT = 9, UTIME = 11, STIME = 12, THREADS = 17, STARTTIME = 19, VSIZE = 20, RSS = 21, BLKIO = 39;
// /proc/<pid>/io lines in kernel order.
const SYSCR = 2, SYSCW = 3, READ_BYTES = 4, WRITE_BYTES = 5;
// Slots of the per-process bigint cache (an int64 point whose value did not change reuses its bigint).
const B_RSS = 0, B_VSIZE = 1, B_IO_R = 2, B_IO_W = 3, B_OPS_R = 4, B_OPS_W = 5, B_THREADS = 6, B_FDS = 7, B_CS_V = 8, B_CS_I = 9, B_PF_MAJ = 10, B_PF_MIN = 11;
const SLOTS = 12;

/** Executable path, command line and owner change only with exec or setuid: read them when a
 * process is first seen, when its name changes (exec), and at least this often. */
export const STATIC_REFRESH_MS = 60_000;
/** PF_KTHREAD in the stat flags: a kernel thread (no executable, no user memory). */
const PF_KTHREAD = 0x00200000;
/** A kernel thread stays one: its stat is looked at again only every this many scrapes (to see a reused pid). */
const KTHREAD_RECHECK = 16;
/** Processes whose stat/io descriptors stay open between scrapes (beyond: open, read, close). */
const MAX_KEPT = 2048;

/** What we know about one process between scrapes. */
interface Proc {
  pid: number;
  dir: string;
  stat?: KeptFile;
  /** undefined: not opened yet; null: not readable by us (retried at the static refresh). */
  io?: KeptFile | null;
  starttime: number;
  startNs: bigint;
  comm: string;
  commBytes: Buffer;
  kept: boolean;
  /** A kernel thread: not reported (as the Collector, which cannot read their executable). */
  kthread: boolean;
  pidBig: bigint;
  ppid: number;
  ppidBig: bigint;
  exe?: string;
  command?: string;
  commandLine?: string;
  owner?: string;
  refreshAt: number;
  seen: number;
  last: Float64Array;
  big: bigint[];
}

const statBuf = Buffer.allocUnsafe(4096);
const ioBuf = Buffer.allocUnsafe(1024);
const statusBuf = Buffer.allocUnsafe(8192);

type Points = NumberDataPoint[];

export class ProcessScraper implements Scraper {
  readonly name = 'process';
  readonly defs = processDefs;
  private users?: Map<number, string>;
  private pageSize = 4096;
  private memTotal = 0;
  private procs = new Map<string, Proc>();
  private scrapes = 0;
  /** The fork count of /proc/stat at the last listing of /proc. */
  private forks?: number;
  private keptCount = 0;
  private readonly f = new Float64Array(40);
  private readonly io = new Float64Array(6);

  constructor(private readonly opts: ProcessOptions) {}

  scrape(b: MetricBuilder, env: ScrapeEnv): ResourceOut[] {
    if (!this.users) this.init(env);
    const seen = ++this.scrapes;
    const nowMs = Date.now();
    this.memTotal = b.on('process.memory.utilization') ? (parseKeyValues(env.text(env.proc('meminfo')), true).get('MemTotal') ?? 0) : 0;
    const on = {
      cpu: b.on('process.cpu.time'), rss: b.on('process.memory.usage'), virt: b.on('process.memory.virtual'),
      threads: b.on('process.threads'), faults: b.on('process.paging.faults'), io: b.on('process.disk.io'),
      ops: b.on('process.disk.operations'), cs: b.on('process.context_switches'), fds: b.on('process.open_file_descriptors'),
    };
    const out: ResourceOut[] = [];
    const listed = this.list(env);
    for (const name of listed ?? [...this.procs.keys()]) {
      const known = this.procs.get(name);
      if (known?.kthread && (seen + known.pid) % KTHREAD_RECHECK !== 0) {
        known.seen = seen;
        continue;
      }
      const p = this.read(env, name, nowMs, listed !== undefined);
      if (!p) continue;
      p.seen = seen;
      if (!p.kept || p.kthread) continue;
      out.push({ attributes: this.attributes(p), metrics: this.metrics(p, b.now, on) });
    }
    for (const [name, p] of this.procs)
      if (p.seen !== seen) {
        this.forget(p);
        this.procs.delete(name);
      }
    return out;
  }

  /**
   * The pids in /proc, or undefined when the listing can be skipped. Listing /proc costs the
   * kernel a dentry per process (as much as reading a stat file), so it is skipped when no
   * process or thread was created since the last listing (`processes` in /proc/stat, the
   * kernel's count of forks, did not move): then the processes are the ones we know, less those
   * that exited (their kept stat reads ESRCH).
   */
  private list(env: ScrapeEnv): string[] | undefined {
    let forks: number | undefined;
    try {
      forks = statField(env.text(env.proc('stat')), 'processes');
    } catch {
      forks = undefined;
    }
    if (forks !== undefined && forks === this.forks) return undefined;
    this.forks = forks;
    const names = readdirSync(env.proc(''));
    let n = 0;
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c >= 48 && c <= 57) names[n++] = name;
    }
    names.length = n;
    return names;
  }

  /** Closes every descriptor kept open (the receiver stops); a later scrape reopens. */
  close(): void {
    for (const p of this.procs.values()) this.forget(p);
    this.procs.clear();
    this.forks = undefined;
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

  private forget(p: Proc): void {
    if (p.stat) {
      p.stat.close();
      p.stat = undefined;
      this.keptCount--;
    }
    p.io?.close();
    p.io = undefined;
  }

  /** Reads /proc/<pid>/stat (one pread on a kept descriptor) into this.f; the process, or undefined when gone. */
  private read(env: ScrapeEnv, name: string, nowMs: number, listed: boolean): Proc | undefined {
    let p = this.procs.get(name);
    let len = p ? this.readStat(p) : -1;
    if (len < 0 && p) {
      // Gone. If the pid is listed, it may already be a new process: start over.
      this.forget(p);
      this.procs.delete(name);
      if (!listed) return undefined;
      p = undefined;
    }
    if (!p) {
      const dir = env.proc(name);
      let stat: KeptFile | undefined;
      try {
        if (this.keptCount < MAX_KEPT) stat = new KeptFile(`${dir}/stat`);
        len = stat ? stat.read(statBuf) : readOnce(`${dir}/stat`, statBuf);
      } catch {
        stat?.close();
        this.opts.onProblem('vanished');
        return undefined;
      }
      if (stat) this.keptCount++;
      const pid = Number(name);
      p = {
        pid, dir, stat, starttime: -1, startNs: 0n, comm: '', commBytes: Buffer.alloc(0), kept: false, kthread: false,
        pidBig: BigInt(pid), ppid: -1, ppidBig: 0n, refreshAt: 0, seen: 0,
        last: new Float64Array(SLOTS).fill(-1), big: new Array<bigint>(SLOTS).fill(0n),
      };
      this.procs.set(name, p);
    }
    const close = parseStatBytes(statBuf, len, this.f);
    if (close < 0) {
      this.opts.onProblem('vanished');
      return undefined;
    }
    const f = this.f;
    p.kthread = (f[FLAGS]! & PF_KTHREAD) !== 0;
    // Without a kept descriptor the same pid may be a new process: its start time tells.
    if (f[STARTTIME] !== p.starttime) {
      if (p.starttime >= 0) this.resetFacts(p);
      p.starttime = f[STARTTIME]!;
      p.startNs = env.bootNs + (BigInt(p.starttime) * 1_000_000_000n) / BigInt(USER_HZ);
    }
    const open = statBuf.indexOf(40);
    if (p.commBytes.length !== close - open - 1 || statBuf.compare(p.commBytes, 0, p.commBytes.length, open + 1, close) !== 0) {
      // New process, or it exec'd (or renamed itself): name filter and static facts anew.
      // Its own memory: a pooled Buffer would keep an 8 KiB slab alive per process.
      p.commBytes = Buffer.allocUnsafeSlow(close - open - 1);
      statBuf.copy(p.commBytes, 0, open + 1, close);
      p.comm = p.commBytes.toString('utf8');
      p.kept = keep(this.opts.names[0], this.opts.names[1], p.comm);
      p.refreshAt = 0;
    }
    if (f[PPID] !== p.ppid) {
      p.ppid = f[PPID]!;
      p.ppidBig = BigInt(p.ppid);
    }
    if (p.kept && !p.kthread && nowMs >= p.refreshAt) this.readFacts(p, nowMs);
    return p;
  }

  private readStat(p: Proc): number {
    try {
      return p.stat ? p.stat.read(statBuf) : readOnce(`${p.dir}/stat`, statBuf);
    } catch {
      return -1;
    }
  }

  private resetFacts(p: Proc): void {
    p.exe = p.command = p.commandLine = p.owner = undefined;
    p.io?.close();
    p.io = undefined;
    p.refreshAt = 0;
    p.last.fill(-1);
  }

  /** Executable path, command line and owner; also retries an io file we could not open. */
  private readFacts(p: Proc, nowMs: number): void {
    // Spread the refreshes of processes seen together over the period.
    p.refreshAt = nowMs + STATIC_REFRESH_MS * (0.75 + (p.pid % 64) / 128);
    const ra = this.opts.resourceAttributes;
    if (p.io === null) p.io = undefined;
    if (ra.has('process.executable.path')) {
      try {
        p.exe = readlinkSync(`${p.dir}/exe`);
      } catch (e) {
        p.exe = undefined;
        // Kernel threads have no executable (ENOENT); other users' processes may be unreadable.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.onProblem('exe');
      }
    }
    if (ra.has('process.command') || ra.has('process.command_line')) {
      const args = (tryReadText(`${p.dir}/cmdline`) ?? '').split('\0').filter((x) => x !== '');
      p.command = args.length ? args[0] : undefined;
      p.commandLine = args.length ? args.join(' ') : undefined;
    }
    if (ra.has('process.owner')) {
      let uid: number | undefined;
      try {
        uid = numberAfter(statusBuf, readOnce(`${p.dir}/status`, statusBuf), 'Uid:');
      } catch {
        uid = undefined;
      }
      p.owner = uid === undefined ? undefined : (this.users!.get(uid) ?? String(uid));
    }
  }

  private attributes(p: Proc): Attributes {
    // A new object every scrape: processors may rewrite resource attributes in place.
    const ra = this.opts.resourceAttributes;
    const a: Attributes = {};
    if (ra.has('process.pid')) a['process.pid'] = p.pidBig;
    if (ra.has('process.parent_pid')) a['process.parent_pid'] = p.ppidBig;
    if (ra.has('process.executable.name')) a['process.executable.name'] = p.comm;
    if (p.exe !== undefined) a['process.executable.path'] = p.exe;
    if (p.command !== undefined && ra.has('process.command')) a['process.command'] = p.command;
    if (p.commandLine !== undefined && ra.has('process.command_line')) a['process.command_line'] = p.commandLine;
    if (p.owner !== undefined) a['process.owner'] = p.owner;
    return a;
  }

  /** The int64 value of slot `i`: the same bigint as last scrape when the number did not change. */
  private int(p: Proc, i: number, v: number): bigint {
    if (p.last[i] === v) return p.big[i]!;
    p.last[i] = v;
    return (p.big[i] = BigInt(v));
  }

  private metrics(p: Proc, now: bigint, on: Record<'cpu' | 'rss' | 'virt' | 'threads' | 'faults' | 'io' | 'ops' | 'cs' | 'fds', boolean>): Metric[] {
    const f = this.f;
    const start = p.startNs;
    const ms: Metric[] = [];
    const pt = (attributes: Attributes, value: number | bigint): NumberDataPoint => ({ attributes, startTimeUnixNano: start, timeUnixNano: now, value });
    if (on.cpu)
      ms.push(sum('process.cpu.time', [pt({ state: 'user' }, f[UTIME]! / USER_HZ), pt({ state: 'system' }, f[STIME]! / USER_HZ), pt({ state: 'wait' }, f[BLKIO]! / USER_HZ)]));
    const rss = f[RSS]! * this.pageSize;
    if (on.rss) ms.push(sum('process.memory.usage', [pt({}, this.int(p, B_RSS, rss))]));
    if (on.virt) ms.push(sum('process.memory.virtual', [pt({}, this.int(p, B_VSIZE, f[VSIZE]!))]));
    if (this.memTotal > 0) ms.push(gauge('process.memory.utilization', [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: now, value: rss / this.memTotal }]));
    if (on.threads) ms.push(sum('process.threads', [pt({}, this.int(p, B_THREADS, f[THREADS]!))]));
    if (on.faults) ms.push(sum('process.paging.faults', [pt({ type: 'major' }, this.int(p, B_PF_MAJ, f[MAJFLT]!)), pt({ type: 'minor' }, this.int(p, B_PF_MIN, f[MINFLT]!))]));
    if (on.io || on.ops) {
      const io = this.readIo(p);
      if (io) {
        if (on.io) ms.push(sum('process.disk.io', [pt({ direction: 'read' }, this.int(p, B_IO_R, io[READ_BYTES]!)), pt({ direction: 'write' }, this.int(p, B_IO_W, io[WRITE_BYTES]!))]));
        if (on.ops) ms.push(sum('process.disk.operations', [pt({ direction: 'read' }, this.int(p, B_OPS_R, io[SYSCR]!)), pt({ direction: 'write' }, this.int(p, B_OPS_W, io[SYSCW]!))]));
      } else this.opts.onProblem('io');
    }
    if (on.cs) {
      let len = -1;
      try {
        len = readOnce(`${p.dir}/status`, statusBuf);
      } catch {
        // vanished meanwhile
      }
      if (len >= 0) {
        const vol = numberAfter(statusBuf, len, 'voluntary_ctxt_switches:') ?? 0;
        const inv = numberAfter(statusBuf, len, 'nonvoluntary_ctxt_switches:') ?? 0;
        ms.push(sum('process.context_switches', [pt({ type: 'voluntary' }, this.int(p, B_CS_V, vol)), pt({ type: 'involuntary' }, this.int(p, B_CS_I, inv))]));
      }
    }
    if (on.fds) {
      try {
        ms.push(sum('process.open_file_descriptors', [pt({}, this.int(p, B_FDS, readdirSync(`${p.dir}/fd`).length))]));
      } catch {
        this.opts.onProblem('fd');
      }
    }
    return ms;
  }

  /** /proc/<pid>/io (rchar, wchar, syscr, syscw, read_bytes, write_bytes), or undefined when we may not read it. */
  private readIo(p: Proc): Float64Array | undefined {
    if (p.io === null) return undefined;
    try {
      let len: number;
      if (p.stat) {
        p.io ??= new KeptFile(`${p.dir}/io`);
        len = p.io.read(ioBuf);
      } else len = readOnce(`${p.dir}/io`, ioBuf);
      return parseColonValues(ioBuf, len, this.io) >= 6 ? this.io : undefined;
    } catch {
      // EACCES (another user's process, or it changed owner): not retried until the refresh.
      p.io?.close();
      p.io = null;
      return undefined;
    }
  }
}

function sum(name: string, dataPoints: Points): Metric {
  const d = processDefs[name]!;
  return { type: 'sum', name, description: d.description, unit: d.unit, aggregationTemporality: AggregationTemporality.Cumulative, isMonotonic: d.monotonic ?? false, dataPoints };
}

function gauge(name: string, dataPoints: Points): Metric {
  const d = processDefs[name]!;
  return { type: 'gauge', name, description: d.description, unit: d.unit, dataPoints };
}
