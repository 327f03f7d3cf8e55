import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParseContext } from '../../src/config/schema.js';
import { configSchema } from '../../receivers/hostmetrics/config.js';
import { factory } from '../../receivers/hostmetrics/index.js';
import { HostMetricsReceiver, MAX_IN_FLIGHT } from '../../receivers/hostmetrics/receiver.js';
import { validateScrapers } from '../../receivers/hostmetrics/build.js';
import { ConsumerError } from '../../src/component/consumer.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { allMetrics, host, parseConfig, points, settings } from './helpers.js';
import { observed } from '../helpers/observe.js';
import { waitUntil as until } from '../helpers/wait.js';

const fixture = fileURLToPath(new URL('../fixtures/proc/host1', import.meta.url));
const ALL = { cpu: null, memory: null, load: null, filesystem: null, network: null, disk: null };

describe('hostmetrics config', () => {
  it('accepts a Collector config unchanged', () => {
    const raw = {
      collection_interval: '30s',
      initial_delay: '1s',
      timeout: '5s',
      root_path: '',
      scrapers: {
        cpu: { metrics: { 'system.cpu.utilization': { enabled: true } } },
        memory: null,
        load: { cpu_average: true },
        filesystem: { exclude_mount_points: { mount_points: ['/snap/.*'], match_type: 'regexp' }, include_virtual_filesystems: false },
        network: { include: { interfaces: ['eth0'], match_type: 'strict' } },
        disk: { exclude: { devices: ['^loop'], match_type: 'regexp' } },
      },
    };
    const cfg = parseConfig(raw);
    expect(cfg.collection_interval).toBe(30_000);
    expect([cfg.initial_delay, cfg.timeout]).toEqual([1000, 5000]);
    expect(cfg.scrapers.memory).toEqual({ metrics: {} });
    expect(cfg.scrapers.disk).toBeDefined();
    expect(cfg.scrapers.load!.cpu_average).toBe(true);
    expect(validateScrapers(cfg.scrapers)).toEqual([]);
  });

  it('reports unknown keys, unknown metric names, bad regexps and an empty scraper list', () => {
    const ctx = new ParseContext();
    configSchema.parse({ colection_interval: '10s', scrapers: { cpu: { metricz: {} } } }, ctx);
    const msgs = ctx.issues.map((i) => i.message).join('\n');
    expect(msgs).toMatch(/unknown key "colection_interval"; did you mean "collection_interval"/);
    expect(msgs).toMatch(/unknown key "metricz"; did you mean "metrics"/);
    const ctx2 = new ParseContext();
    configSchema.parse({ scrapers: { cpu: { metrics: { 'system.cpu.utilisation': { enabled: true } } }, process: { resource_attributes: { 'process.pidd': { enabled: false } } } } }, ctx2);
    expect(ctx2.issues).toEqual([
      { path: ['scrapers', 'cpu', 'metrics', 'system.cpu.utilisation'], message: 'unknown metric "system.cpu.utilisation"; did you mean "system.cpu.utilization"?', atKey: true },
      { path: ['scrapers', 'process', 'resource_attributes', 'process.pidd'], message: 'unknown resource attribute "process.pidd"; did you mean "process.pid"?', atKey: true },
    ]);
    const cfg = parseConfig({ scrapers: { disk: { include: { devices: ['('], match_type: 'regexp' } } } });
    const errs = factory.validate!(cfg);
    expect(errs.join('\n')).toMatch(/scrapers.disk.include.devices: invalid regexp/);
    expect(factory.validate!(parseConfig({ scrapers: {} }))).toEqual([expect.stringMatching(/at least one scraper/)]);
  });
});

describe('hostmetrics receiver', () => {
  it('scrapes once right at start, then every interval', async () => {
    const got: MetricsData[] = [];
    // Interval of an hour: the only way to see data is the scrape at start.
    const r = factory.create(settings(), parseConfig({ collection_interval: '1h', scrapers: ALL }), { metrics: { consume: async (d) => void got.push(d) } });
    await r.start(host);
    await until(() => got.length === 1);
    await r.shutdown();
    const names = new Set(allMetrics(got[0]!).map((m) => m.name));
    for (const n of ['system.cpu.time', 'system.memory.usage', 'system.cpu.load_average.1m', 'system.filesystem.usage', 'system.network.io', 'system.disk.io'])
      expect(names).toContain(n);
    const scopes = got[0]!.resourceMetrics[0]!.scopeMetrics.map((s) => s.scope.name);
    expect(scopes).toContain('telemd/receiver/hostmetrics/cpu');

    const ticks: MetricsData[] = [];
    const r2 = factory.create(settings(), parseConfig({ collection_interval: '100ms', root_path: fixture, scrapers: { load: null } }), { metrics: { consume: async (d) => void ticks.push(d) } });
    await r2.start(host);
    await until(() => ticks.length >= 4);
    await r2.shutdown();
  });

  it('keeps at most a few batches in flight when the pipeline stalls, counting skipped scrapes as refused', async () => {
    const set = settings();
    const pending: (() => void)[] = [];
    const r = new HostMetricsReceiver(set, parseConfig({ collection_interval: '1h', root_path: fixture, scrapers: { cpu: null, memory: null } }), observed(set, 'metrics', {
      consume: () => new Promise<void>((res) => pending.push(res)),
    }));
    r.maxInFlight = 2;
    await r.start(host);
    await until(() => pending.length === 1);
    for (let i = 0; i < 20; i++) {
      await new Promise((res) => setTimeout(res, 2));
      r.tick();
    }
    await until(() => pending.length === 2);
    await new Promise((res) => setTimeout(res, 20));
    expect(pending.length).toBe(2);
    const prom = set.registry.renderPrometheus();
    const skipped = Number(/telemd_receiver_skipped_scrapes_total\{[^}]*\} (\d+)/.exec(prom)![1]);
    const refused = Number(/telemd_receiver_refused_items_total\{[^}]*reason="skipped"[^}]*\} (\d+)/.exec(prom)![1]);
    expect(skipped).toBe(21 - 2);
    expect(MAX_IN_FLIGHT).toBeGreaterThanOrEqual(256); // the default must buffer a long outage
    expect(refused).toBe(skipped * 14); // 8 cpu states + 6 memory states per scrape
    for (const res of pending.splice(0)) res();
    await until(() => /telemd_receiver_accepted_items_total\{[^}]*\} 28/.test(set.registry.renderPrometheus()));
    r.tick();
    await until(() => pending.length === 1);
    pending[0]!();
    await r.shutdown();
    expect(Number(/telemd_receiver_accepted_items_total\{[^}]*\} (\d+)/.exec(set.registry.renderPrometheus())![1])).toBe(3 * 14);
  });

  it('counts points refused by the pipeline', async () => {
    const set = settings();
    let calls = 0;
    const r = new HostMetricsReceiver(set, parseConfig({ collection_interval: '1h', root_path: fixture, scrapers: { load: null } }), observed(set, 'metrics', {
      consume: () => {
        calls++;
        return Promise.reject(ConsumerError.retryable('queue full'));
      },
    }));
    await r.start(host);
    await until(() => calls === 1);
    await r.shutdown();
    expect(set.registry.renderPrometheus()).toMatch(/telemd_receiver_refused_items_total\{[^}]*reason="retryable"[^}]*signal="metrics"[^}]*\} 3|telemd_receiver_refused_items_total\{[^}]*signal="metrics"[^}]*reason="retryable"[^}]*\} 3/);
  });

  it('honours metric toggles and semconv: latest', async () => {
    const cfg = parseConfig({
      root_path: fixture,
      semconv: 'latest',
      scrapers: {
        cpu: { metrics: { 'system.cpu.time': { enabled: false }, 'system.cpu.utilization': { enabled: true } }, per_cpu: true },
        network: { metrics: { 'system.network.connections': { enabled: true } } },
        disk: null,
      },
    });
    const r = new HostMetricsReceiver(settings(), cfg, { consume: async () => {} });
    await r.start(host);
    await r.shutdown();
    await r.scrapeOnce();
    const d = await r.scrapeOnce();
    expect(points(d, 'system.cpu.time')).toHaveLength(0);
    const util = points(d, 'system.cpu.utilization');
    expect(util.length).toBe(0); // fixture did not change between scrapes: Δtotal = 0
    expect(points(d, 'system.network.io')[0]!.attributes).toHaveProperty('network.io.direction');
    expect(points(d, 'system.network.io')[0]!.attributes).toHaveProperty('network.interface.name');
    expect(points(d, 'system.network.connection.count').length).toBe(11);
    expect(points(d, 'system.disk.io')[0]!.attributes).toHaveProperty('disk.io.direction');
  });

  it('refuses to start with a clear error when root_path has no /proc', async () => {
    const r = new HostMetricsReceiver(settings(), parseConfig({ root_path: '/nonexistent-root', scrapers: { cpu: null } }), { consume: async () => {} });
    await expect(r.start(host)).rejects.toThrow(/nonexistent-root\/proc\/stat/);
  });

  it('keeps the other scrapers going when one fails, and counts the failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-'));
    mkdirSync(join(dir, 'proc'));
    for (const f of ['stat', 'meminfo']) copyFileSync(join(fixture, 'proc', f), join(dir, 'proc', f));
    const set = settings();
    const r = new HostMetricsReceiver(set, parseConfig({ collection_interval: '1h', root_path: dir, scrapers: { cpu: null, load: null, memory: null } }), { consume: async () => {} });
    await r.start(host);
    await r.shutdown();
    const d = await r.scrapeOnce();
    expect(points(d, 'system.cpu.time')).toHaveLength(8);
    expect(points(d, 'system.memory.usage')).toHaveLength(6);
    expect(points(d, 'system.cpu.load_average.1m')).toHaveLength(0);
    expect(set.registry.renderPrometheus()).toMatch(/telemd_receiver_scrape_errors_total\{[^}]*\} 1/);
    rmSync(dir, { recursive: true });
  });
});

describe('semconv: latest', () => {
  it('renames cpu, memory, paging, filesystem and processes attributes and names', async () => {
    const { toLatest } = await import('../../receivers/hostmetrics/semconv.js');
    const cfg = parseConfig({ root_path: fixture, semconv: 'latest', scrapers: { cpu: null, memory: null, paging: null, processes: null } });
    const r = new HostMetricsReceiver(settings(), cfg, { consume: async () => {} });
    await r.start(host);
    await r.shutdown();
    const d = await r.scrapeOnce();
    expect(points(d, 'system.cpu.time').map((p) => p.attributes['cpu.mode'])).toContain('iowait');
    expect(points(d, 'system.memory.usage')[0]!.attributes).toHaveProperty('system.memory.state');
    expect(points(d, 'system.paging.operations')[0]!.attributes).toEqual({ 'system.paging.direction': 'in', 'system.paging.type': 'major' });
    expect(points(d, 'system.process.count').map((p) => p.attributes['process.state'])).toEqual(['running', 'blocked']);
    expect(points(d, 'system.process.created')).toHaveLength(1);
    const m = toLatest('process', [
      { type: 'sum', name: 'process.paging.faults', aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ attributes: { type: 'major' }, startTimeUnixNano: 0n, timeUnixNano: 0n, value: 1n }] },
      { type: 'sum', name: 'process.threads', aggregationTemporality: 2, isMonotonic: false, dataPoints: [] },
    ]);
    expect(m[0]!.type === 'sum' && m[0]!.dataPoints[0]!.attributes).toEqual({ 'system.paging.type': 'major' });
    expect(m[1]!.name).toBe('process.thread.count');
  });
});
