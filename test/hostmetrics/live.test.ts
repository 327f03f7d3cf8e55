// The receiver on this machine's live /proc, cross-checked against independent readers
// (procps `free`, coreutils `df` and `nproc`, /proc/loadavg, /sys/class/net, /sys/block).
// Other tests run at the same time, so each independent reading is taken just before and
// just after the scrape, and the scrape must fall between the two (plus a small tolerance).
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

/** Independent reading before and after the scrape. */
async function bracket<T>(read: () => T, scrapers: Record<string, unknown>): Promise<{ before: T; d: MetricsData; after: T }> {
  const before = read();
  const d = await scrapeLive(scrapers);
  const after = read();
  return { before, d, after };
}

function between(x: number, a: number, b: number, tol: number): void {
  expect(x).toBeGreaterThanOrEqual(Math.min(a, b) - tol);
  expect(x).toBeLessThanOrEqual(Math.max(a, b) + tol);
}

const MiB = 1024 * 1024;
const state = (d: MetricsData, name: string, s: string, extra: Record<string, string> = {}) =>
  num(points(d, name).find((p) => p.attributes.state === s && Object.entries(extra).every(([k, v]) => p.attributes[k] === v)));

function free(): number[] {
  return execFileSync('free', ['-b'], { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Mem:'))!.trim().split(/\s+/).slice(1).map(Number);
}

describe('hostmetrics on the live host', () => {
  it('memory agrees with free -b', async () => {
    const { before: f0, d, after: f1 } = await bracket(free, { memory: { metrics: { 'system.linux.memory.available': { enabled: true } } } });
    // free -b: total used free shared buff/cache available (procps 4: used = total - available)
    const sum = points(d, 'system.memory.usage').reduce((a, p) => a + num(p), 0);
    expect(sum).toBe(f0[0]);
    const tol = 8 * MiB;
    between(state(d, 'system.memory.usage', 'free'), f0[2]!, f1[2]!, tol);
    const bc = state(d, 'system.memory.usage', 'buffered') + state(d, 'system.memory.usage', 'cached') + state(d, 'system.memory.usage', 'slab_reclaimable');
    between(bc, f0[4]!, f1[4]!, tol);
    // What is neither free nor buff/cache (Buffers+Cached+SReclaimable) is our used + slab_unreclaimable.
    const rest = (f: number[]) => f[0]! - f[2]! - f[4]!;
    between(state(d, 'system.memory.usage', 'used') + state(d, 'system.memory.usage', 'slab_unreclaimable'), rest(f0), rest(f1), tol);
    between(num(points(d, 'system.linux.memory.available')[0]), f0[5]!, f1[5]!, tol);
  });

  it('the root filesystem agrees with df -B1', async () => {
    const df = () => execFileSync('df', ['-B1', '--output=source,fstype,size,used,avail', '/'], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/);
    const { before, d, after } = await bracket(df, { filesystem: null });
    const at = { mountpoint: '/' };
    const u = state(d, 'system.filesystem.usage', 'used', at);
    const f = state(d, 'system.filesystem.usage', 'free', at);
    const r = state(d, 'system.filesystem.usage', 'reserved', at);
    expect(points(d, 'system.filesystem.usage').find((p) => p.attributes.mountpoint === '/')!.attributes).toMatchObject({ device: before[0], type: before[1] });
    expect(u + f + r).toBe(Number(before[2]));
    between(u, Number(before[3]), Number(after[3]), 16 * MiB);
    between(f, Number(before[4]), Number(after[4]), 16 * MiB);
    // Virtual filesystems are excluded by default.
    expect(points(d, 'system.filesystem.usage').some((p) => ['proc', 'sysfs', 'tmpfs', 'cgroup'].includes(p.attributes.type as string))).toBe(false);
  });

  it('load average agrees with /proc/loadavg and the CPU count with nproc', async () => {
    const la = () => readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    const { before, d, after } = await bracket(la, { load: null, cpu: { metrics: { 'system.cpu.logical.count': { enabled: true } } } });
    between(num(points(d, 'system.cpu.load_average.1m')[0]), before[0]!, after[0]!, 0);
    between(num(points(d, 'system.cpu.load_average.15m')[0]), before[2]!, after[2]!, 0);
    const nproc = Number(execFileSync('nproc', ['--all'], { encoding: 'utf8' }));
    expect(num(points(d, 'system.cpu.logical.count')[0])).toBe(nproc);
    // CPU seconds since boot ≈ uptime × CPUs (within 10%: steal, offline time).
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const total = points(d, 'system.cpu.time').reduce((a, p) => a + num(p), 0);
    expect(total / (uptime * nproc)).toBeGreaterThan(0.9);
    expect(total / (uptime * nproc)).toBeLessThan(1.1);
  });

  it('network and disk counters agree with /sys/class/net and /sys/block', async () => {
    const read = () => ({
      lo: Number(readFileSync('/sys/class/net/lo/statistics/rx_bytes', 'utf8')),
      disks: Object.fromEntries(
        execFileSync('ls', ['/sys/block'], { encoding: 'utf8' }).trim().split('\n').map((dev) => [dev, Number(readFileSync(`/sys/block/${dev}/stat`, 'utf8').trim().split(/\s+/)[2]) * 512]),
      ),
    });
    const { before, d, after } = await bracket(read, { network: null, disk: null });
    between(num(points(d, 'system.network.io').find((p) => p.attributes.device === 'lo' && p.attributes.direction === 'receive')), before.lo, after.lo, 0);
    let checked = 0;
    for (const p of points(d, 'system.disk.io').filter((x) => x.attributes.direction === 'read')) {
      const dev = p.attributes.device as string;
      if (!(dev in before.disks)) continue;
      between(num(p), before.disks[dev]!, after.disks[dev]!, 0);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
