// The process scraper keeps /proc/<pid>/stat and io open between scrapes and reads static facts
// (exe, command line, owner) only when needed. These tests prove it follows real processes:
// values equal a plain text read, an exec is noticed at once, an exited process is dropped and
// its descriptors closed, and shutdown closes every descriptor.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HostMetricsReceiver } from '../../receivers/hostmetrics/receiver.js';
import { parseStat } from '../../receivers/hostmetrics/scrapers/process.js';
import { KeptFile, numberAfter, parseColonValues, parseStatBytes } from '../../src/procfs/index.js';
import type { MetricsData, ResourceMetrics } from '../../src/pdata/types.js';
import { until } from '../helpers/wait.js';
import { host, num, parseConfig, points, settings } from './helpers.js';

const kids: ChildProcess[] = [];
afterEach(() => {
  for (const k of kids.splice(0)) k.kill('SIGKILL');
});

function child(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  kids.push(c);
  return c;
}

async function receiver(names: string[], extra: Record<string, unknown> = {}): Promise<HostMetricsReceiver> {
  const cfg = parseConfig({ collection_interval: '1h', scrapers: { process: { include: { names, match_type: 'strict' }, ...extra } } });
  const r = new HostMetricsReceiver(settings(), cfg, { consume: async () => {} });
  await r.start(host);
  return r;
}

const byPid = (d: MetricsData, pid: number): ResourceMetrics | undefined => d.resourceMetrics.find((rm) => rm.resource.attributes['process.pid'] === BigInt(pid));
/** Our descriptors open on /proc/<pid>/stat or io (of any pid when none is given). */
function keptProcFds(pid?: number): number {
  const re = new RegExp(`^/proc/${pid ?? '\\d+'}/(stat|io)$`);
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (re.test(readlinkSync(`/proc/self/fd/${fd}`))) n++;
    } catch {
      // the descriptor readdir itself used
    }
  }
  return n;
}

describe('procfs byte parsers', () => {
  it('reads /proc/<pid>/stat fields after a comm with spaces and parens, negative fields included', () => {
    const text = '4242 (a) (b c)) S 1 4242 4242 0 -1 4194560 120 0 3 0 11 22 0 0 20 -5 7 0 12345 1000000 250 18446744073709551615\n';
    const buf = Buffer.from(text);
    const f = new Float64Array(40);
    const close = parseStatBytes(buf, buf.length, f);
    expect(buf.toString('utf8', buf.indexOf(40) + 1, close)).toBe('a) (b c)');
    expect(String.fromCharCode(f[0]!)).toBe('S');
    const ref = parseStat(text).f.map(Number);
    for (const i of [1, 5, 7, 9, 11, 12, 16, 17, 19, 20, 21]) expect(f[i]).toBe(ref[i]);
    expect(f[16]).toBe(-5);
    expect(f[39]).toBe(0); // absent fields read as 0
  });

  it('reads io values in file order and a status key at a line start only', () => {
    const io = Buffer.from('rchar: 10\nwchar: 20\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n');
    const out = new Float64Array(6);
    expect(parseColonValues(io, io.length, out)).toBe(6);
    expect([...out]).toEqual([10, 20, 3, 4, 4096, 8192]);
    const st = Buffer.from('Name:\tx\nxUid:\t7\nUid:\t1000\t1000\t1000\t1000\nvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t9\n');
    expect(numberAfter(st, st.length, 'Uid:')).toBe(1000);
    expect(numberAfter(st, st.length, 'voluntary_ctxt_switches:')).toBe(5);
    expect(numberAfter(st, st.length, 'nonvoluntary_ctxt_switches:')).toBe(9);
    expect(numberAfter(st, st.length, 'Gid:')).toBeUndefined();
  });
});

describe('kept /proc descriptors', () => {
  it('read ESRCH once their process exited and was reaped', async () => {
    const c = child('sleep', ['34']);
    await until(() => readFileSync(`/proc/${c.pid}/comm`, 'utf8').startsWith('sleep'), 5000, 'sleep to exec');
    const f = new KeptFile(`/proc/${c.pid}/stat`);
    const buf = Buffer.allocUnsafe(4096);
    try {
      expect(buf.toString('utf8', 0, f.read(buf))).toContain('(sleep) ');
      const gone = new Promise((res) => c.once('exit', res));
      c.kill('SIGKILL');
      await gone; // reaped by node: the pid is free for reuse
      expect(() => f.read(buf)).toThrow(/ESRCH/);
    } finally {
      f.close();
    }
  });
});

describe('process scraper across scrapes', () => {
  it('reports the same values as a plain read of /proc/<pid>/stat, scrape after scrape', async () => {
    const c = child('sleep', ['30']);
    await until(() => readFileSync(`/proc/${c.pid}/comm`, 'utf8').startsWith('sleep'), 5000, 'sleep to exec');
    const r = await receiver(['sleep']);
    try {
      for (let i = 0; i < 3; i++) {
        const rm = byPid(await r.scrapeOnce(), c.pid!)!;
        const ms = rm.scopeMetrics[0]!.metrics;
        const f = parseStat(readFileSync(`/proc/${c.pid}/stat`, 'utf8')).f.map(Number);
        expect(num(points(ms, 'process.memory.virtual')[0])).toBe(f[20]);
        expect(num(points(ms, 'process.memory.usage')[0])).toBe(f[21]! * 4096);
        expect(points(ms, 'process.cpu.time').map(num)).toEqual([f[11]! / 100, f[12]! / 100, f[39]! / 100]);
        expect(rm.resource.attributes['process.parent_pid']).toBe(BigInt(process.pid));
        expect(rm.resource.attributes['process.command_line']).toBe('sleep 30');
      }
    } finally {
      await r.shutdown();
    }
  });

  it('notices an exec at the next scrape: new name, path and command line', async () => {
    const c = child('sh', ['-c', 'sleep 0.4; exec sleep 31']);
    await until(() => readFileSync(`/proc/${c.pid}/comm`, 'utf8').startsWith('sh'), 5000, 'sh to start');
    const r = await receiver(['sh', 'sleep']);
    try {
      const before = byPid(await r.scrapeOnce(), c.pid!)!.resource.attributes;
      expect(before['process.executable.name']).toBe('sh');
      await until(() => readFileSync(`/proc/${c.pid}/comm`, 'utf8').startsWith('sleep') && readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').includes('31'), 5000, 'the exec');
      const after = byPid(await r.scrapeOnce(), c.pid!)!.resource.attributes;
      expect(after['process.executable.name']).toBe('sleep');
      expect(after['process.command_line']).toBe('sleep 31');
      expect(String(after['process.executable.path'])).toMatch(/sleep$/);
    } finally {
      await r.shutdown();
    }
  });

  it('leaves kernel threads out, as the Collector does (it cannot read their executable)', async () => {
    const kthreads = readdirSync('/proc').filter((n) => {
      try {
        return /^\d+$/.test(n) && (Number(parseStat(readFileSync(`/proc/${n}/stat`, 'utf8')).f[6]) & 0x00200000) !== 0;
      } catch {
        return false;
      }
    });
    const r = new HostMetricsReceiver(settings(), parseConfig({ collection_interval: '1h', scrapers: { process: null } }), { consume: async () => {} });
    await r.start(host);
    try {
      for (let i = 0; i < 2; i++) {
        const d = await r.scrapeOnce();
        expect(byPid(d, process.pid)).toBeDefined();
        for (const k of kthreads) expect(byPid(d, Number(k))).toBeUndefined();
      }
    } finally {
      await r.shutdown();
    }
  });

  it('drops a process that exited and closes its descriptors; shutdown closes all', async () => {
    const a = child('sleep', ['32']);
    const b = child('sleep', ['33']);
    await until(() => [a, b].every((c) => readFileSync(`/proc/${c.pid}/comm`, 'utf8').startsWith('sleep')), 5000, 'sleeps to exec');
    const r = await receiver(['sleep']);
    try {
      const first = await r.scrapeOnce();
      expect(byPid(first, a.pid!)).toBeDefined();
      expect(byPid(first, b.pid!)).toBeDefined();
      expect([keptProcFds(a.pid), keptProcFds(b.pid)]).toEqual([2, 2]); // stat and io of each
      const gone = new Promise((res) => a.once('exit', res));
      a.kill('SIGKILL');
      await gone;
      const second = await r.scrapeOnce();
      expect(byPid(second, a.pid!)).toBeUndefined();
      expect(byPid(second, b.pid!)).toBeDefined();
      expect([keptProcFds(a.pid), keptProcFds(b.pid)]).toEqual([0, 2]);
    } finally {
      await r.shutdown();
    }
    expect(keptProcFds()).toBe(0);
  });
});
