// ipc receiver: recorded tables (fixture ipc1) and the live kernel with real SysV objects
// (a C helper compiled here), unix/TCP/UDP sockets held by python3.
import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ParseContext } from '../../src/config/schema.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { configSchema } from '../../receivers/ipc/config.js';
import { factory } from '../../receivers/ipc/index.js';
import { IpcReceiver } from '../../receivers/ipc/receiver.js';
import { countUnix, queueSums } from '../../receivers/ipc/collect.js';
import { testHost } from '../helpers/host.js';
import type { MetricsData, NumberDataPoint } from '../../src/pdata/types.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const host = testHost();

async function collect(raw: Record<string, unknown>): Promise<MetricsData> {
  const ctx = new ParseContext();
  const cfg = configSchema.parse({ collection_interval: '1h', ...raw }, ctx);
  expect(ctx.issues).toEqual([]);
  const r = new IpcReceiver({ id: { type: 'ipc', name: '', id: 'ipc' }, kind: 'receiver', logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) }, cfg, { consume: async () => {} });
  await r.start(host);
  await r.shutdown();
  return r.collect();
}
function pts(d: MetricsData, name: string): NumberDataPoint[] {
  const m = d.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)).find((x) => x.name === name);
  return m && (m.type === 'sum' || m.type === 'gauge') ? m.dataPoints : [];
}
const v = (d: MetricsData, name: string, attrs: Record<string, string> = {}) =>
  Number(pts(d, name).find((p) => Object.entries(attrs).every(([k, x]) => p.attributes[k] === x))?.value ?? NaN);

describe('ipc receiver on recorded tables', () => {
  it('System V queues, semaphores and shared memory', async () => {
    const d = await collect({ root_path: here('../fixtures/proc/ipc1') });
    const q = { 'ipc.key': '0x7e1e0001', owner: '0' };
    expect(v(d, 'system.ipc.msg.queue.messages', q)).toBe(3);
    expect(v(d, 'system.ipc.msg.queue.bytes', q)).toBe(300);
    expect(v(d, 'system.ipc.msg.queues')).toBe(1);
    expect(v(d, 'system.ipc.sem.arrays')).toBe(1);
    expect(v(d, 'system.ipc.sem.semaphores')).toBe(4);
    expect(v(d, 'system.ipc.shm.segments')).toBe(1);
    expect(v(d, 'system.ipc.shm.bytes')).toBe(65536);
    expect(v(d, 'system.ipc.shm.attached')).toBe(1);
    expect(v(d, 'system.ipc.shm.segment.bytes', { 'ipc.key': '0x7e1e0001' })).toBe(65536);
    expect(pts(d, 'system.ipc.msg.queues')[0]!.startTimeUnixNano).toBeGreaterThan(0n);
  });

  it('unix sockets by type and state, TCP backlog and queues, UDP queues and kernel counters', async () => {
    const d = await collect({ root_path: here('../fixtures/proc/ipc1') });
    expect(v(d, 'system.ipc.unix.sockets', { type: 'stream', state: 'listen' })).toBe(3);
    expect(v(d, 'system.ipc.unix.sockets', { type: 'stream', state: 'connected' })).toBe(31);
    expect(v(d, 'system.ipc.unix.sockets', { type: 'stream', state: 'connecting' })).toBe(1);
    expect(v(d, 'system.ipc.unix.sockets', { type: 'dgram', state: 'unconnected' })).toBe(1);
    expect(v(d, 'system.network.tcp.listen.backlog')).toBe(3);
    expect(v(d, 'system.network.tcp.queue.bytes', { direction: 'receive' })).toBe(0xb1);
    expect(v(d, 'system.network.udp.queue.bytes', { direction: 'receive' })).toBe(0x1040);
    for (const n of ['system.ipc.context_switches', 'system.ipc.interrupts', 'system.ipc.forks', 'system.ipc.open_files', 'system.ipc.open_files.limit', 'system.network.tcp.retransmits', 'system.network.tcp.listen.overflows'])
      expect(v(d, n), n).toBeGreaterThanOrEqual(0);
    expect(pts(d, 'system.network.udp.errors').map((p) => p.attributes.reason)).toEqual(['receive_buffer', 'send_buffer', 'no_port', 'checksum']);
    expect(countUnix('h\n0: 00000002 00000000 00010000 0005 01 1 /x\n').get('seqpacket/listen')).toBe(1);
    expect(queueSums('h\n 0: a b 01 0000000A:00000010 x\n 1: a b 0A 00000000:00000002 x', '0A')).toEqual({ tx: 10, rx: 16, backlog: 2 });
  });

  it('max_objects caps the per-object series; the totals still count every object', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ipc-cap-'));
    mkdirSync(join(root, 'proc/sysvipc'), { recursive: true });
    writeFileSync(join(root, 'proc/stat'), 'btime 1700000000\n');
    const head = 'key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime\n';
    writeFileSync(join(root, 'proc/sysvipc/msg'), head + '1 1 600 100 1 0 0 0 0 0 0 0 0 0\n2 2 600 200 2 0 0 0 0 0 0 0 0 0\n');
    const shmHead = 'key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap\n';
    writeFileSync(join(root, 'proc/sysvipc/shm'), shmHead + '1 1 600 4096 0 0 1 0 0 0 0 0 0 0 0 0\n2 2 600 8192 0 0 2 0 0 0 0 0 0 0 0 0\n');
    const d = await collect({ root_path: root, max_objects: 1 });
    expect(pts(d, 'system.ipc.msg.queue.messages').map((p) => [p.attributes['ipc.key'], p.value])).toEqual([['0x00000001', 1n]]);
    expect(pts(d, 'system.ipc.shm.segment.attached').map((p) => [p.attributes['ipc.key'], p.value])).toEqual([['0x00000001', 1n]]);
    expect([v(d, 'system.ipc.msg.queues'), v(d, 'system.ipc.msg.messages'), v(d, 'system.ipc.msg.bytes')]).toEqual([2, 3, 300]);
    expect([v(d, 'system.ipc.shm.segments'), v(d, 'system.ipc.shm.bytes'), v(d, 'system.ipc.shm.attached')]).toEqual([2, 12288, 3]);
  });

  it('validates metric names', () => {
    const ctx = new ParseContext();
    const cfg = configSchema.parse({ metrics: { 'system.ipc.msg.queus': { enabled: false } } }, ctx);
    expect(factory.validate!(cfg)).toEqual(['metrics: unknown metric "system.ipc.msg.queus"; did you mean "system.ipc.msg.queues"?']);
  });
});

describe('ipc receiver on the live kernel', () => {
  let helper = '';
  beforeAll(() => {
    helper = join(mkdtempSync(join(tmpdir(), 'ipc-')), 'sysv-helper');
    execFileSync('cc', ['-O2', '-o', helper, here('./sysv-helper.c')]);
  });

  it('sees System V objects a real process creates, and stops seeing them once removed', async () => {
    const key = 0x7e1e0000 + (process.pid & 0xffff);
    const keyHex = '0x' + key.toString(16);
    const child = spawn(helper, [String(key), '5', '200', '3', '131072'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      child.stdout!.once('data', (b: Buffer) => (String(b).startsWith('ready') ? res() : rej(new Error(String(b)))));
      child.once('exit', (c) => rej(new Error(`helper exited ${c}`)));
    });
    try {
      const d = await collect({ count_pipes: true });
      const q = { 'ipc.key': keyHex, owner: 'root' };
      expect(v(d, 'system.ipc.msg.queue.messages', q)).toBe(5);
      expect(v(d, 'system.ipc.msg.queue.bytes', q)).toBe(1000);
      expect(v(d, 'system.ipc.shm.segment.bytes', { 'ipc.key': keyHex })).toBe(131072);
      expect(v(d, 'system.ipc.shm.segment.attached', { 'ipc.key': keyHex })).toBe(1);
      expect(v(d, 'system.ipc.sem.semaphores')).toBeGreaterThanOrEqual(3);
      // our stdio pipes to the helper are pipes too
      expect(v(d, 'system.ipc.pipes')).toBeGreaterThanOrEqual(2);
      const fnr = execFileSync('cat', ['/proc/sys/fs/file-nr'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
      expect(v(d, 'system.ipc.open_files.limit')).toBe(fnr[2]);
    } finally {
      child.stdin!.end();
      await new Promise((r) => child.once('exit', r));
    }
    const after = await collect({});
    expect(pts(after, 'system.ipc.msg.queue.messages').some((p) => p.attributes['ipc.key'] === keyHex)).toBe(false);
  });

  it('sees a TCP listen backlog, unread UDP bytes and a listening unix socket held by python3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipc-'));
    const py = spawn('python3', ['-c', `
import socket, sys
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); l.bind(${JSON.stringify(join(dir, 's.sock'))}); l.listen(5)
t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen(16)
cs = [socket.create_connection(t.getsockname()) for _ in range(4)]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(6): s.sendto(b'z' * 300, u.getsockname())
print('ready', flush=True)
sys.stdin.read()
`], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((res) => py.stdout!.once('data', () => res()));
    try {
      const d = await collect({});
      expect(v(d, 'system.network.tcp.listen.backlog')).toBeGreaterThanOrEqual(4);
      expect(v(d, 'system.network.udp.queue.bytes', { direction: 'receive' })).toBeGreaterThanOrEqual(1800);
      expect(v(d, 'system.ipc.unix.sockets', { type: 'stream', state: 'listen' })).toBeGreaterThanOrEqual(1);
      const [hdr, vals] = execFileSync('cat', ['/proc/net/snmp'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('Tcp:')).map((l) => l.split(' '));
      const retrans = Number(vals![hdr!.indexOf('RetransSegs')]);
      expect(Math.abs(v(d, 'system.network.tcp.retransmits') - retrans)).toBeLessThan(1000);
    } finally {
      py.stdin!.end();
      await new Promise((r) => py.once('exit', r));
    }
  });
});
