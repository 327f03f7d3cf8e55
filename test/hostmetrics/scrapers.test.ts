// Scrapers on recorded /proc fixtures (test/fixtures/proc, see its README for the odd cases).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { MetricBuilder, enabledSet } from '../../receivers/hostmetrics/metrics.js';
import { makeEnv } from '../../receivers/hostmetrics/scraper.js';
import { CpuScraper, countRanges, physicalCount } from '../../receivers/hostmetrics/scrapers/cpu.js';
import { MemoryScraper } from '../../receivers/hostmetrics/scrapers/memory.js';
import { LoadScraper } from '../../receivers/hostmetrics/scrapers/load.js';
import { FilesystemScraper, parseMounts } from '../../receivers/hostmetrics/scrapers/filesystem.js';
import { NetworkScraper } from '../../receivers/hostmetrics/scrapers/network.js';
import { DiskScraper } from '../../receivers/hostmetrics/scrapers/disk.js';
import { compileMatch } from '../../receivers/hostmetrics/filter.js';
import type { Scraper } from '../../receivers/hostmetrics/scraper.js';
import type { Metric } from '../../src/pdata/types.js';
import { num, points } from './helpers.js';
import { readFileSync } from 'node:fs';

const root = (c: string) => fileURLToPath(new URL(`../fixtures/proc/${c}`, import.meta.url));
const BOOT = 1795316314n * 1_000_000_000n;
const env1 = makeEnv(root('host1'), BOOT);
const env2 = makeEnv(root('host2'), BOOT);

async function run(s: Scraper, env = env1, enable: string[] = []): Promise<Metric[]> {
  const toggles = Object.fromEntries(enable.map((n) => [n, { enabled: true }]));
  const b = new MetricBuilder(s.defs, enabledSet(s.defs, toggles), 5n);
  await s.scrape(b, env);
  return b.result();
}

describe('cpu scraper', () => {
  it('reports /proc/stat ticks as seconds per state with boot time as start', async () => {
    const m = await run(new CpuScraper({ perCpu: false }));
    const pts = points(m, 'system.cpu.time');
    expect(pts.map((p) => p.attributes.state)).toEqual(['user', 'nice', 'system', 'idle', 'wait', 'interrupt', 'softirq', 'steal']);
    // cpu  25068 0 5841 104616 387 0 57 19
    expect(pts.map(num)).toEqual([250.68, 0, 58.41, 1046.16, 3.87, 0, 0.57, 0.19]);
    expect(pts.every((p) => p.startTimeUnixNano === BOOT && p.timeUnixNano === 5n)).toBe(true);
    expect(points(m, 'system.cpu.utilization')).toHaveLength(0);
  });

  it('per_cpu adds the cpu attribute; utilization needs two scrapes and survives a CPU going offline', async () => {
    const s = new CpuScraper({ perCpu: true });
    const first = await run(s, env1, ['system.cpu.utilization']);
    expect(new Set(points(first, 'system.cpu.time').map((p) => p.attributes.cpu))).toEqual(new Set(['cpu0', 'cpu1']));
    expect(points(first, 'system.cpu.utilization')).toHaveLength(0);
    const second = await run(s, env2, ['system.cpu.utilization']);
    const util = points(second, 'system.cpu.utilization');
    expect(new Set(util.map((p) => p.attributes.cpu))).toEqual(new Set(['cpu0']));
    const by = Object.fromEntries(util.map((p) => [p.attributes.state as string, num(p)]));
    // cpu0 advanced 100 user + 50 system + 200 idle ticks
    expect(by.user).toBeCloseTo(100 / 350, 9);
    expect(by.system).toBeCloseTo(50 / 350, 9);
    expect(by.idle).toBeCloseTo(200 / 350, 9);
    expect(util.reduce((a, p) => a + num(p), 0)).toBeCloseTo(1, 9);
    expect(points(second, 'system.cpu.time').some((p) => p.attributes.cpu === 'cpu1')).toBe(false);
  });

  it('counts logical and physical CPUs', async () => {
    const m = await run(new CpuScraper({ perCpu: false }), env1, ['system.cpu.logical.count', 'system.cpu.physical.count', 'system.cpu.frequency']);
    const mhz = readFileSync(`${root('host1')}/proc/cpuinfo`, 'utf8').split('\n').filter((l) => l.startsWith('cpu MHz')).map((l) => Number(l.split(':')[1]) * 1e6);
    expect(points(m, 'system.cpu.frequency').map((p) => [p.attributes.cpu, num(p)])).toEqual(mhz.map((hz, i) => [`cpu${i}`, hz]));
    expect(num(points(m, 'system.cpu.logical.count')[0])).toBe(2);
    expect(points(m, 'system.cpu.logical.count')[0]!.value).toBe(2n);
    expect(num(points(m, 'system.cpu.physical.count')[0])).toBeGreaterThanOrEqual(1);
    const m2 = await run(new CpuScraper({ perCpu: false }), env2, ['system.cpu.logical.count']);
    expect(num(points(m2, 'system.cpu.logical.count')[0])).toBe(1);
    expect(countRanges('0-3,5,7-8')).toBe(7);
    expect(physicalCount('processor\t: 0\nphysical id\t: 0\ncore id\t: 0\n\nprocessor\t: 1\nphysical id\t: 0\ncore id\t: 0\n')).toBe(1);
  });
});

describe('memory scraper', () => {
  it('states come from meminfo and add up to MemTotal', async () => {
    const m = await run(new MemoryScraper(), env1, ['system.memory.utilization', 'system.memory.limit', 'system.linux.memory.available']);
    const pts = points(m, 'system.memory.usage');
    const by = Object.fromEntries(pts.map((p) => [p.attributes.state as string, num(p)]));
    expect(by.free).toBe(kb('MemFree'));
    expect(by.buffered).toBe(kb('Buffers'));
    expect(by.cached).toBe(kb('Cached'));
    expect(by.slab_reclaimable).toBe(kb('SReclaimable'));
    expect(by.slab_unreclaimable).toBe(kb('SUnreclaim'));
    expect(pts.reduce((a, p) => a + num(p), 0)).toBe(kb('MemTotal'));
    expect(points(m, 'system.memory.utilization').reduce((a, p) => a + num(p), 0)).toBeCloseTo(1, 9);
    expect(num(points(m, 'system.memory.limit')[0])).toBe(kb('MemTotal'));
    expect(num(points(m, 'system.linux.memory.available')[0])).toBe(kb('MemAvailable'));
    expect(typeof pts[0]!.value).toBe('bigint');
  });
});

function kb(key: string): number {
  const line = readFileSync(`${root('host1')}/proc/meminfo`, 'utf8').split('\n').find((l) => l.startsWith(key + ':'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

describe('load scraper', () => {
  it('reads /proc/loadavg and divides by CPUs with cpu_average', async () => {
    const [a, b] = readFileSync(`${root('host1')}/proc/loadavg`, 'utf8').split(' ').map(Number);
    const m = await run(new LoadScraper(false));
    expect(num(points(m, 'system.cpu.load_average.1m')[0])).toBe(a);
    expect(num(points(m, 'system.cpu.load_average.5m')[0])).toBe(b);
    const avg = await run(new LoadScraper(true));
    expect(num(points(avg, 'system.cpu.load_average.1m')[0])).toBeCloseTo(a! / 2, 9);
  });
});

describe('filesystem scraper', () => {
  const opts = { includeVirtual: false, devices: [undefined, undefined], fsTypes: [undefined, undefined], mountPoints: [undefined, undefined], statfsTimeoutMs: 2000 } as const;
  it('decodes escaped names, dedupes overmounts and skips virtual filesystems and vanished mounts', async () => {
    const mounts = parseMounts(readFileSync(`${root('host1')}/proc/1/mounts`, 'utf8'));
    expect(mounts.filter((x) => x.mountpoint === '/dev/pts')).toHaveLength(1);
    expect(mounts.find((x) => x.mountpoint === '/mnt/my disk')).toEqual({ device: '/dev/disk one', mountpoint: '/mnt/my disk', type: 'ext4', mode: 'ro' });
    const s = new FilesystemScraper({ ...opts, devices: [...opts.devices], fsTypes: [...opts.fsTypes], mountPoints: [...opts.mountPoints] });
    const m = await run(s);
    const mps = new Set(points(m, 'system.filesystem.usage').map((p) => p.attributes.mountpoint));
    expect(mps).toEqual(new Set(['/', '/mnt/my disk']));
    expect(s.failures).toBe(1); // /mnt/gone
    const mine = points(m, 'system.filesystem.usage').filter((p) => p.attributes.mountpoint === '/mnt/my disk');
    expect(mine.map((p) => p.attributes.state)).toEqual(['used', 'free', 'reserved']);
    expect(mine[0]!.attributes).toMatchObject({ device: '/dev/disk one', mode: 'ro', type: 'ext4' });
    expect(points(m, 'system.filesystem.inodes.usage').length).toBe(4);
    // next scrape: unmounted, it just disappears
    const m2 = await run(new FilesystemScraper({ ...opts, devices: [undefined, undefined], fsTypes: [undefined, undefined], mountPoints: [undefined, undefined] }), env2);
    expect(new Set(points(m2, 'system.filesystem.usage').map((p) => p.attributes.mountpoint))).toEqual(new Set(['/']));
  });

  it('computes states from statfs like df and honours filters', async () => {
    const st = { bsize: 4096, blocks: 1000, bfree: 300, bavail: 250, files: 100, ffree: 40 };
    const s = new FilesystemScraper(
      { ...opts, devices: [undefined, undefined], fsTypes: [undefined, undefined], mountPoints: [undefined, compileMatch({ items: ['^/mnt/my'], matchType: 'regexp' })] },
      async () => st,
    );
    const m = await run(s, env1, ['system.filesystem.utilization']);
    const pts = points(m, 'system.filesystem.usage');
    expect(new Set(pts.map((p) => p.attributes.mountpoint))).toEqual(new Set(['/', '/mnt/gone']));
    const root1 = Object.fromEntries(pts.filter((p) => p.attributes.mountpoint === '/').map((p) => [p.attributes.state as string, num(p)]));
    expect(root1).toEqual({ used: 700 * 4096, free: 250 * 4096, reserved: 50 * 4096 });
    expect(num(points(m, 'system.filesystem.utilization')[0])).toBeCloseTo(700 / 950, 9);
    expect(points(m, 'system.filesystem.inodes.usage').map(num).slice(0, 2)).toEqual([60, 40]);
  });

  it('gives up on a hanging statfs after the timeout', async () => {
    const s = new FilesystemScraper({ ...opts, devices: [undefined, undefined], fsTypes: [undefined, undefined], mountPoints: [undefined, undefined], statfsTimeoutMs: 50 }, () => new Promise(() => {}));
    const m = await run(s);
    expect(points(m, 'system.filesystem.usage')).toHaveLength(0);
    expect(s.failures).toBe(3);
  });
});

describe('network scraper', () => {
  it('reads /proc/net/dev per device and direction and counts TCP states', async () => {
    const m = await run(new NetworkScraper([undefined, undefined]), env1, ['system.network.connections']);
    const io = points(m, 'system.network.io');
    const eth = io.filter((p) => p.attributes.device === 'eth0');
    const dev = readFileSync(`${root('host1')}/proc/net/dev`, 'utf8').split('\n').find((l) => l.includes('eth0:'))!;
    const f = dev.split(':')[1]!.trim().split(/\s+/).map(Number);
    expect(eth.map((p) => [p.attributes.direction, num(p)])).toEqual([['receive', f[0]], ['transmit', f[8]]]);
    expect(points(m, 'system.network.packets').find((p) => p.attributes.device === 'eth0' && p.attributes.direction === 'transmit')!.value).toBe(BigInt(f[9]!));
    const conns = points(m, 'system.network.connections');
    expect(conns).toHaveLength(11);
    const tcp = readFileSync(`${root('host1')}/proc/net/tcp`, 'utf8').split('\n').slice(1).filter(Boolean);
    const listen = tcp.filter((l) => l.trim().split(/\s+/)[3] === '0A').length;
    expect(num(conns.find((p) => p.attributes.state === 'LISTEN'))).toBe(listen);
    expect(conns.reduce((a, p) => a + num(p), 0)).toBe(tcp.length);
  });

  it('leaves TCP connection states off by default (they cost a walk of the kernel TCP hash)', async () => {
    expect(points(await run(new NetworkScraper([undefined, undefined])), 'system.network.connections')).toHaveLength(0);
  });

  it('include filter keeps matching interfaces only', async () => {
    const m = await run(new NetworkScraper([compileMatch({ items: ['lo'], matchType: 'strict' }), undefined]));
    expect(new Set(points(m, 'system.network.io').map((p) => p.attributes.device))).toEqual(new Set(['lo']));
  });
});

describe('disk scraper', () => {
  it('reads /proc/diskstats: 512-byte sectors, ms as seconds', async () => {
    const m = await run(new DiskScraper([undefined, compileMatch({ items: ['^loop'], matchType: 'regexp' })]));
    // vda 48467 13068 2673770 15297 8793 25337 1713312 5514 0 10620 21303
    const io = points(m, 'system.disk.io');
    expect(new Set(io.map((p) => p.attributes.device))).toEqual(new Set(['vda', 'zram0']));
    const vda = (name: string, dir?: string) => num(points(m, name).find((p) => p.attributes.device === 'vda' && (!dir || p.attributes.direction === dir)));
    expect(vda('system.disk.io', 'read')).toBe(2673770 * 512);
    expect(vda('system.disk.io', 'write')).toBe(1713312 * 512);
    expect(vda('system.disk.operations', 'read')).toBe(48467);
    expect(vda('system.disk.merged', 'write')).toBe(25337);
    expect(vda('system.disk.operation_time', 'read')).toBeCloseTo(15.297, 9);
    expect(vda('system.disk.io_time')).toBeCloseTo(10.62, 9);
    expect(vda('system.disk.weighted_io_time')).toBeCloseTo(21.303, 9);
    expect(vda('system.disk.pending_operations')).toBe(0);
  });
});
