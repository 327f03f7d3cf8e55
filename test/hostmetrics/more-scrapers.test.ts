// paging, processes, system, cgroup (fixtures) and process (live: a child we spawn).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MetricBuilder, enabledSet } from '../../receivers/hostmetrics/metrics.js';
import { makeEnv, type Scraper } from '../../receivers/hostmetrics/scraper.js';
import { PagingScraper } from '../../receivers/hostmetrics/scrapers/paging.js';
import { ProcessesScraper } from '../../receivers/hostmetrics/scrapers/processes.js';
import { SystemScraper } from '../../receivers/hostmetrics/scrapers/system.js';
import { CgroupScraper } from '../../receivers/hostmetrics/scrapers/cgroup.js';
import { HostMetricsReceiver } from '../../receivers/hostmetrics/receiver.js';
import type { Metric } from '../../src/pdata/types.js';
import { host, num, parseConfig, points, settings } from './helpers.js';

const root = (c: string) => fileURLToPath(new URL(`../fixtures/proc/${c}`, import.meta.url));
const BOOT = 1795316314n * 1_000_000_000n;

async function run(s: Scraper, fixture: string, enable: string[] = [], now = 5n): Promise<Metric[]> {
  const b = new MetricBuilder(s.defs, enabledSet(s.defs, Object.fromEntries(enable.map((n) => [n, { enabled: true }]))), now);
  await s.scrape(b, makeEnv(root(fixture), BOOT));
  return b.result();
}

describe('paging scraper', () => {
  it('reports swap areas by device and state, and paging operations and faults from vmstat', async () => {
    const m = await run(new PagingScraper(), 'host1', ['system.paging.utilization']);
    const usage = points(m, 'system.paging.usage');
    const sf = usage.filter((p) => p.attributes.device === '/swapfile');
    expect(sf.map((p) => [p.attributes.state, num(p)])).toEqual([['used', 262144 * 1024], ['free', (1048572 - 262144) * 1024]]);
    expect(usage.some((p) => p.attributes.device === '/dev/vdb2')).toBe(true);
    expect(usage.find((p) => p.attributes.state === 'cached')).toBeDefined();
    expect(num(points(m, 'system.paging.utilization').find((p) => p.attributes.device === '/swapfile' && p.attributes.state === 'used'))).toBeCloseTo(262144 / 1048572, 9);
    const vm = Object.fromEntries(readFileSync(`${root('host1')}/proc/vmstat`, 'utf8').trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
    const ops = points(m, 'system.paging.operations');
    expect(num(ops.find((p) => p.attributes.direction === 'page_in' && p.attributes.type === 'minor'))).toBe(vm.pgpgin);
    expect(num(ops.find((p) => p.attributes.direction === 'page_out' && p.attributes.type === 'major'))).toBe(vm.pswpout);
    const faults = points(m, 'system.paging.faults');
    expect(faults.map((p) => [p.attributes.type, num(p)])).toEqual([['major', vm.pgmajfault], ['minor', vm.pgfault - vm.pgmajfault]]);
  });
});

describe('processes and system scrapers', () => {
  it('reads /proc/stat and /proc/uptime', async () => {
    const m = await run(new ProcessesScraper(), 'host1');
    expect(points(m, 'system.processes.count').map((p) => [p.attributes.status, num(p)])).toEqual([['running', 1], ['blocked', 0]]);
    expect(num(points(m, 'system.processes.created')[0])).toBe(14193);
    expect(points(m, 'system.processes.created')[0]!.startTimeUnixNano).toBe(BOOT);
    const up = Number(readFileSync(`${root('host1')}/proc/uptime`, 'utf8').split(' ')[0]);
    expect(num(points(await run(new SystemScraper(), 'host1'), 'system.uptime')[0])).toBe(up);
  });
});

describe('cgroup scraper', () => {
  it('cgroup v2: own cgroup and system.slice services with limits', async () => {
    const s = new CgroupScraper(true);
    const m = await run(s, 'cgroup-v2', [], 7n);
    const by = (name: string, unit: string) => points(m, name).find((p) => p.attributes['cgroup.path'] === `/system.slice/${unit}`);
    expect(num(by('system.cgroup.cpu.time', 'telemd.service'))).toBeCloseTo(1.234567, 9);
    expect(num(by('system.cgroup.cpu.limit', 'telemd.service'))).toBe(0.5);
    expect(num(by('system.cgroup.memory.usage', 'telemd.service'))).toBe(41943040);
    expect(num(by('system.cgroup.memory.limit', 'telemd.service'))).toBe(268435456);
    expect(by('system.cgroup.cpu.time', 'nginx.service')!.attributes['systemd.unit']).toBe('nginx.service');
    expect(num(by('system.cgroup.cpu.time', 'nginx.service'))).toBe(9);
    expect(by('system.cgroup.cpu.limit', 'nginx.service')).toBeUndefined();
    expect(by('system.cgroup.memory.limit', 'nginx.service')).toBeUndefined();
    // own cgroup is listed once even though it is also a service
    expect(points(m, 'system.cgroup.cpu.time')).toHaveLength(2);
    // start time: the first observation, kept on later scrapes
    expect(by('system.cgroup.cpu.time', 'telemd.service')!.startTimeUnixNano).toBe(7n);
    const later = await run(s, 'cgroup-v2', [], 9n);
    expect(points(later, 'system.cgroup.cpu.time')[0]!.startTimeUnixNano).toBe(7n);
  });

  it('cgroup v1: cpuacct usage, CFS quota, memory without limit', async () => {
    const m = await run(new CgroupScraper(false), 'cgroup-v1');
    expect(points(m, 'system.cgroup.cpu.time').map((p) => [p.attributes['cgroup.path'], num(p)])).toEqual([['/system.slice/telemd.service', 2.5]]);
    expect(num(points(m, 'system.cgroup.cpu.limit')[0])).toBe(2);
    expect(num(points(m, 'system.cgroup.memory.usage')[0])).toBe(52428800);
    expect(points(m, 'system.cgroup.memory.limit')).toHaveLength(0);
  });

  it('finds the agent\'s own cgroup on the live host', async () => {
    const b = new MetricBuilder(new CgroupScraper(false).defs, new Set(['system.cgroup.memory.usage', 'system.cgroup.cpu.time']), 1n);
    new CgroupScraper(false).scrape(b, makeEnv('', BOOT));
    const mem = points(b.result(), 'system.cgroup.memory.usage');
    expect(mem).toHaveLength(1);
    expect(num(mem[0])).toBeGreaterThan(0);
  });
});

describe('process scraper (live)', () => {
  it('reports a child process as its own resource with its command line, parent and owner', async () => {
    const child = spawn('sleep', ['37.5'], { stdio: 'ignore' });
    try {
      // until the child has exec'd (before that it is a copy of us named node)
      for (let i = 0; i < 500 && !/^sleep/.test(readFileSync(`/proc/${child.pid}/comm`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 10));
      const cfg = parseConfig({
        collection_interval: '1h',
        scrapers: { process: { include: { names: ['sleep'], match_type: 'strict' }, metrics: { 'process.threads': { enabled: true }, 'process.context_switches': { enabled: true } } } },
      });
      const set = settings();
      const r = new HostMetricsReceiver(set, cfg, { consume: async () => {} });
      await r.start(host);
      await r.shutdown();
      const d = await r.scrapeOnce();
      const rm = d.resourceMetrics.find((x) => x.resource.attributes['process.pid'] === BigInt(child.pid!));
      expect(rm).toBeDefined();
      expect(d.resourceMetrics.every((x) => x.resource.attributes['process.executable.name'] === 'sleep')).toBe(true);
      expect(rm!.resource.attributes).toMatchObject({
        'process.parent_pid': BigInt(process.pid),
        'process.command': 'sleep',
        'process.command_line': 'sleep 37.5',
        'process.owner': 'root',
      });
      expect(String(rm!.resource.attributes['process.executable.path'])).toMatch(/sleep$/);
      const ms = rm!.scopeMetrics[0]!.metrics;
      expect(num(points(ms, 'process.memory.usage')[0])).toBeGreaterThan(100_000);
      expect(num(points(ms, 'process.threads')[0])).toBe(1);
      expect(points(ms, 'process.context_switches')).toHaveLength(2);
      const start = points(ms, 'process.cpu.time')[0]!.startTimeUnixNano;
      // started within the last few seconds (USER_HZ resolution)
      expect(Number(BigInt(Date.now()) * 1_000_000n - start) / 1e9).toBeLessThan(5);
      expect(Number(BigInt(Date.now()) * 1_000_000n - start) / 1e9).toBeGreaterThan(-1);
    } finally {
      child.kill();
    }
  });
});
