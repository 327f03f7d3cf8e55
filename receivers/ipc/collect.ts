// Reads the kernel's IPC and socket tables into metrics. Every source is optional: a table
// the kernel does not expose (no SysV IPC, no IPv6) simply contributes nothing.
import { readdirSync, readlinkSync } from 'node:fs';
import { parseSnmp, readText, statField, table, tryReadText } from '../../src/procfs/index.js';
import type { Builder } from './metrics.js';

export interface Env {
  proc(p: string): string;
  users: Map<number, string>;
  maxObjects: number;
  countPipes: boolean;
}

const owner = (env: Env, uid: string) => env.users.get(Number(uid)) ?? uid;
const hexKey = (k: string) => '0x' + (Number(k) >>> 0).toString(16).padStart(8, '0');

/**
 * Per-object series of a SysV table (the first maxObjects rows) and the totals of the same
 * columns over every row. `cols` pairs a metric name with its column; the owner uid is column 7.
 */
function sysvObjects(b: Builder, env: Env, rows: string[][], cols: [string, number][]): number[] {
  const totals = cols.map(() => 0);
  rows.forEach((f, i) => {
    const attrs = i < env.maxObjects ? { 'ipc.key': hexKey(f[0]!), 'ipc.id': f[1]!, owner: owner(env, f[7]!) } : undefined;
    cols.forEach(([name, c], j) => {
      const v = Number(f[c]);
      totals[j]! += v;
      if (attrs) b.add(name, v, attrs);
    });
  });
  return totals;
}

export function collectSysv(b: Builder, env: Env): void {
  // msg: key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime
  const msg = table(tryReadText(env.proc('sysvipc/msg')));
  const [msgs, bytes] = sysvObjects(b, env, msg, [['system.ipc.msg.queue.messages', 4], ['system.ipc.msg.queue.bytes', 3]]);
  b.add('system.ipc.msg.queues', msg.length);
  b.add('system.ipc.msg.messages', msgs!);
  b.add('system.ipc.msg.bytes', bytes!);

  // sem: key semid perms nsems uid gid cuid cgid otime ctime
  const sem = table(tryReadText(env.proc('sysvipc/sem')));
  b.add('system.ipc.sem.arrays', sem.length);
  b.add('system.ipc.sem.semaphores', sem.reduce((a, f) => a + Number(f[3]), 0));

  // shm: key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap
  const shm = table(tryReadText(env.proc('sysvipc/shm')));
  const [size, att] = sysvObjects(b, env, shm, [['system.ipc.shm.segment.bytes', 3], ['system.ipc.shm.segment.attached', 6]]);
  b.add('system.ipc.shm.segments', shm.length);
  b.add('system.ipc.shm.bytes', size!);
  b.add('system.ipc.shm.attached', att!);
}

const UNIX_TYPES: Record<string, string> = { '0001': 'stream', '0002': 'dgram', '0005': 'seqpacket' };
const UNIX_STATES: Record<string, string> = { '01': 'unconnected', '02': 'connecting', '03': 'connected', '04': 'disconnecting' };
const SO_ACCEPTCON = 0x10000;

/** Unix sockets by type and state; listening sockets (SO_ACCEPTCON) are their own state. */
export function countUnix(text: string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of table(text)) {
    // Num RefCount Protocol Flags Type St Inode [Path]
    const type = UNIX_TYPES[f[4]!] ?? 'other';
    const state = parseInt(f[3]!, 16) & SO_ACCEPTCON ? 'listen' : (UNIX_STATES[f[5]!] ?? 'other');
    const k = `${type}/${state}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

export function collectUnix(b: Builder, env: Env): void {
  if (!b.on('system.ipc.unix.sockets')) return;
  for (const [k, n] of countUnix(tryReadText(env.proc('net/unix')))) {
    const [type, state] = k.split('/') as [string, string];
    b.add('system.ipc.unix.sockets', n, { type, state });
  }
}

export function collectKernel(b: Builder, env: Env): void {
  const stat = readText(env.proc('stat'));
  const ctxt = statField(stat, 'ctxt');
  if (ctxt !== undefined) b.add('system.ipc.context_switches', ctxt);
  const intr = statField(stat, 'intr');
  if (intr !== undefined) b.add('system.ipc.interrupts', intr);
  const forks = statField(stat, 'processes');
  if (forks !== undefined) b.add('system.ipc.forks', forks);
  const fnr = tryReadText(env.proc('sys/fs/file-nr'))?.trim().split(/\s+/).map(Number);
  if (fnr && fnr.length >= 3) {
    b.add('system.ipc.open_files', fnr[0]! - fnr[1]!);
    b.add('system.ipc.open_files.limit', fnr[2]!);
  }
  if (env.countPipes && b.on('system.ipc.pipes')) b.add('system.ipc.pipes', countPipes(env));
}

/** Distinct pipe inodes across every process's fds (a pipe has two ends, often in two processes). */
export function countPipes(env: Env): number {
  const seen = new Set<string>();
  for (const pid of readdirSync(env.proc(''))) {
    if (!/^\d+$/.test(pid)) continue;
    let fds: string[];
    try {
      fds = readdirSync(env.proc(`${pid}/fd`));
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const t = readlinkSync(env.proc(`${pid}/fd/${fd}`));
        if (t.startsWith('pipe:')) seen.add(t);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return seen.size;
}

/** tx_queue:rx_queue sums over a /proc/net/{tcp,udp} table; listen sockets' rx is their backlog. */
export function queueSums(text: string | undefined, listenState?: string): { tx: number; rx: number; backlog: number } {
  let tx = 0;
  let rx = 0;
  let backlog = 0;
  for (const f of table(text)) {
    const [t, r] = (f[4] ?? '0:0').split(':');
    const rxq = parseInt(r!, 16);
    if (listenState && f[3] === listenState) backlog += rxq;
    else {
      tx += parseInt(t!, 16);
      rx += rxq;
    }
  }
  return { tx, rx, backlog };
}

export function collectNet(b: Builder, env: Env): void {
  const snmp = parseSnmp(tryReadText(env.proc('net/snmp')));
  const ext = parseSnmp(tryReadText(env.proc('net/netstat')));
  const opt = (m: Map<string, number>, k: string, f: (v: number) => void) => {
    const v = m.get(k);
    if (v !== undefined) f(v);
  };
  opt(snmp, 'Tcp.RetransSegs', (v) => b.add('system.network.tcp.retransmits', v));
  opt(snmp, 'Tcp.EstabResets', (v) => b.add('system.network.tcp.resets', v, { type: 'estab' }));
  opt(snmp, 'Tcp.OutRsts', (v) => b.add('system.network.tcp.resets', v, { type: 'sent' }));
  opt(ext, 'TcpExt.ListenOverflows', (v) => b.add('system.network.tcp.listen.overflows', v));
  opt(ext, 'TcpExt.ListenDrops', (v) => b.add('system.network.tcp.listen.drops', v));
  opt(snmp, 'Udp.RcvbufErrors', (v) => b.add('system.network.udp.errors', v, { reason: 'receive_buffer' }));
  opt(snmp, 'Udp.SndbufErrors', (v) => b.add('system.network.udp.errors', v, { reason: 'send_buffer' }));
  opt(snmp, 'Udp.NoPorts', (v) => b.add('system.network.udp.errors', v, { reason: 'no_port' }));
  opt(snmp, 'Udp.InCsumErrors', (v) => b.add('system.network.udp.errors', v, { reason: 'checksum' }));

  if (b.on('system.network.tcp.queue.bytes') || b.on('system.network.tcp.listen.backlog')) {
    const a = queueSums(tryReadText(env.proc('net/tcp')), '0A');
    const c = queueSums(tryReadText(env.proc('net/tcp6')), '0A');
    b.add('system.network.tcp.queue.bytes', a.rx + c.rx, { direction: 'receive' });
    b.add('system.network.tcp.queue.bytes', a.tx + c.tx, { direction: 'transmit' });
    b.add('system.network.tcp.listen.backlog', a.backlog + c.backlog);
  }
  if (b.on('system.network.udp.queue.bytes')) {
    const a = queueSums(tryReadText(env.proc('net/udp')));
    const c = queueSums(tryReadText(env.proc('net/udp6')));
    b.add('system.network.udp.queue.bytes', a.rx + c.rx, { direction: 'receive' });
    b.add('system.network.udp.queue.bytes', a.tx + c.tx, { direction: 'transmit' });
  }
}
