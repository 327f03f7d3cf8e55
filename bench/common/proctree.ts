// Measuring whole process trees from outside, the way the benchmarks compare telemd with its
// peers: CPU-seconds from /proc/<pid>/stat (user + system, plus what reaped children used), and
// memory as RSS and PSS. CPU-seconds do not depend on how busy the shared machine is the way
// wall time does.
import { readdirSync, readFileSync } from 'node:fs';

const HZ = 100; // USER_HZ on Linux
const PAGE = 4096;

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks. */
  ticks: number;
  rssPages: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]), rssPages: Number(f[21]) };
  } catch {
    return undefined;
  }
}

/** `root` and every live descendant of it. */
export function treePids(root: number): number[] {
  const all: Stat[] = [];
  for (const n of readdirSync('/proc')) {
    const c = n.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const s = stat(Number(n));
    if (s) all.push(s);
  }
  const kids = new Map<number, number[]>();
  for (const s of all) kids.set(s.ppid, [...(kids.get(s.ppid) ?? []), s.pid]);
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    if (!all.some((s) => s.pid === p)) continue;
    out.push(p);
    todo.push(...(kids.get(p) ?? []));
  }
  return out;
}

/**
 * CPU-seconds the tree has used so far: each live member's own time plus what its reaped
 * children used (a plugin that exited moves into its parent's share, so the total only grows).
 */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const p of treePids(root)) ticks += stat(p)?.ticks ?? 0;
  return ticks / HZ;
}

/** CPU-seconds of one process alone (user + system). */
export function cpuSeconds(pid: number): number {
  const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / HZ;
}

export interface TreeMemory {
  processes: number;
  /** Sum of the members' RSS (shared pages counted once per process, as `ps` shows them). */
  rssMiB: number;
  /** Sum of the members' PSS (shared pages divided among the processes mapping them). */
  pssMiB: number;
}

export function treeMemory(root: number): TreeMemory {
  let rss = 0;
  let pss = 0;
  const pids = treePids(root);
  for (const p of pids) {
    rss += (stat(p)?.rssPages ?? 0) * PAGE;
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      pss += Number(m?.[1] ?? 0) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return { processes: pids.length, rssMiB: rss / 2 ** 20, pssMiB: pss / 2 ** 20 };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The load average and CPU count, for the header and footer of a benchmark's output. */
export function machine(): string {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
  return `load ${load}, ${cpus} CPUs`;
}
