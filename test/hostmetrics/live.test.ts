// The receiver on this machine's live /proc, cross-checked against independent readers
// (procps `free`, coreutils `df` and `nproc`, /proc/loadavg, /sys/block) within tolerances
// that cover what changes between the two reads.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { HostMetricsReceiver } from '../../receivers/hostmetrics/receiver.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { host, num, parseConfig, points, settings } from './helpers.js';

async function scrapeLive(scrapers: Record<string, unknown>): Promise<MetricsData> {
  const r = new HostMetricsReceiver(settings(), parseConfig({ collection_interval: '1h', scrapers }), { consume: async () => {} });
  await r.start(host);
  await r.shutdown();
  return r.scrapeOnce();
}

const MiB = 1024 * 1024;
const state = (d: MetricsData, name: string, s: string, extra: Record<string, string> = {}) =>
  num(points(d, name).find((p) => p.attributes.state === s && Object.entries(extra).every(([k, v]) => p.attributes[k] === v)));

describe('hostmetrics on the live host', () => {
  it('memory agrees with free -b', async () => {
    const d = await scrapeLive({ memory: { metrics: { 'system.linux.memory.available': { enabled: true } } } });
    const mem = execFileSync('free', ['-b'], { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Mem:'))!.trim().split(/\s+/).map(Number);
    const [, total, , free, , buffCache, available] = mem as number[];
    const sum = points(d, 'system.memory.usage').reduce((a, p) => a + num(p), 0);
    expect(sum).toBe(total);
    // procps 4 prints used = total - available; what is neither free nor buff/cache
    // (Buffers+Cached+SReclaimable) is our used + slab_unreclaimable.
    const rest = total! - free! - buffCache!;
    expect(Math.abs(state(d, 'system.memory.usage', 'used') + state(d, 'system.memory.usage', 'slab_unreclaimable') - rest)).toBeLessThan(64 * MiB);
    expect(Math.abs(state(d, 'system.memory.usage', 'free') - free!)).toBeLessThan(64 * MiB);
    const bc = state(d, 'system.memory.usage', 'buffered') + state(d, 'system.memory.usage', 'cached') + state(d, 'system.memory.usage', 'slab_reclaimable');
    expect(Math.abs(bc - buffCache!)).toBeLessThan(64 * MiB);
    expect(Math.abs(num(points(d, 'system.linux.memory.available')[0]) - available!)).toBeLessThan(64 * MiB);
  });

  it('the root filesystem agrees with df -B1', async () => {
    const d = await scrapeLive({ filesystem: null });
    const line = execFileSync('df', ['-B1', '--output=source,fstype,size,used,avail', '/'], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/);
    const [source, fstype, size, used, avail] = [line[0], line[1], Number(line[2]), Number(line[3]), Number(line[4])];
    const at = { mountpoint: '/' };
    const u = state(d, 'system.filesystem.usage', 'used', at);
    const f = state(d, 'system.filesystem.usage', 'free', at);
    const r = state(d, 'system.filesystem.usage', 'reserved', at);
    expect(points(d, 'system.filesystem.usage').find((p) => p.attributes.mountpoint === '/')!.attributes).toMatchObject({ device: source, type: fstype });
    expect(u + f + r).toBe(size);
    expect(Math.abs(u - used)).toBeLessThan(256 * MiB);
    expect(Math.abs(f - avail)).toBeLessThan(256 * MiB);
    // Virtual filesystems are excluded by default.
    expect(points(d, 'system.filesystem.usage').some((p) => ['proc', 'sysfs', 'tmpfs', 'cgroup'].includes(p.attributes.type as string))).toBe(false);
  });

  it('load average agrees with /proc/loadavg and the CPU count with nproc', async () => {
    const d = await scrapeLive({ load: null, cpu: { metrics: { 'system.cpu.logical.count': { enabled: true } } } });
    const la = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    expect(Math.abs(num(points(d, 'system.cpu.load_average.1m')[0]) - la[0]!)).toBeLessThan(0.5);
    expect(Math.abs(num(points(d, 'system.cpu.load_average.15m')[0]) - la[2]!)).toBeLessThan(0.2);
    const nproc = Number(execFileSync('nproc', ['--all'], { encoding: 'utf8' }));
    expect(num(points(d, 'system.cpu.logical.count')[0])).toBe(nproc);
    // CPU seconds since boot: idle+others ≈ uptime × CPUs (within 10%: steal/offline time).
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const total = points(d, 'system.cpu.time').reduce((a, p) => a + num(p), 0);
    expect(total / (uptime * nproc)).toBeGreaterThan(0.9);
    expect(total / (uptime * nproc)).toBeLessThan(1.1);
  });

  it('network and disk counters agree with /sys/class/net and /sys/block', async () => {
    const d = await scrapeLive({ network: null, disk: null });
    const rx = Number(readFileSync('/sys/class/net/lo/statistics/rx_bytes', 'utf8'));
    const ours = num(points(d, 'system.network.io').find((p) => p.attributes.device === 'lo' && p.attributes.direction === 'receive'));
    expect(ours).toBeLessThanOrEqual(rx);
    expect(rx - ours).toBeLessThan(10 * MiB);
    const disks = points(d, 'system.disk.io').filter((p) => p.attributes.direction === 'read');
    expect(disks.length).toBeGreaterThan(0);
    for (const p of disks.slice(0, 3)) {
      const stat = readFileSync(`/sys/block/${p.attributes.device as string}/stat`, 'utf8').trim().split(/\s+/).map(Number);
      expect(stat[2]! * 512 - num(p)).toBeGreaterThanOrEqual(0);
      expect(stat[2]! * 512 - num(p)).toBeLessThan(256 * MiB);
    }
  });
});
