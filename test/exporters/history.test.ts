import { describe, expect, it, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { factory } from '../../exporters/history/index.js';
import { HistoryExporter } from '../../exporters/history/exporter.js';
import { configSchema } from '../../exporters/history/config.js';
import { PrometheusExporter } from '../../exporters/prometheus/exporter.js';
import { configSchema as promSchema } from '../../exporters/prometheus/config.js';
import { ParseContext } from '../../src/config/schema.js';
import { ConsumerError } from '../../src/component/consumer.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { parseExposition } from '../../src/prometheus/textparser.js';
import { isStaleNaN } from '../../src/promql/queryable.js';
import { openStores, storeFor } from '../../src/tsdb/registry.js';
import { testHost } from '../helpers/host.js';
import { testSettings } from '../helpers/settings.js';
import { metric } from '../storage/helpers.js';

const T = 1_700_000_000_000;
const ns = (ms: number) => BigInt(ms) * 1_000_000n;

function batch(ms: number, cpuUser: number, opts: { stale?: boolean; delta?: number } = {}): MetricsData {
  const flags = opts.stale ? 1 : 0;
  return {
    resourceMetrics: [
      {
        resource: { attributes: { 'service.name': 'telemd', 'host.name': 'h1' } },
        scopeMetrics: [
          {
            scope: { name: 'telemd/receiver/hostmetrics/cpu' },
            metrics: [
              {
                name: 'system.cpu.time', unit: 's', type: 'sum', aggregationTemporality: 2, isMonotonic: true,
                dataPoints: [
                  { attributes: { cpu: 'cpu0', state: 'user' }, startTimeUnixNano: ns(T - 1e6), timeUnixNano: ns(ms), value: cpuUser, flags },
                  { attributes: { cpu: 'cpu0', state: 'idle' }, startTimeUnixNano: ns(T - 1e6), timeUnixNano: ns(ms), value: cpuUser * 3 },
                ],
              },
              { name: 'system.memory.usage', unit: 'By', type: 'gauge', dataPoints: [{ attributes: { state: 'used' }, startTimeUnixNano: 0n, timeUnixNano: ns(ms), value: 4096 * ms }] },
              {
                name: 'http.server.duration', unit: 'ms', type: 'histogram', aggregationTemporality: 2,
                dataPoints: [{ attributes: { route: '/' }, startTimeUnixNano: ns(T - 1e6), timeUnixNano: ns(ms), count: 10, sum: 123.5, bucketCounts: [3, 5, 2], explicitBounds: [10, 100] }],
              },
              ...(opts.delta !== undefined
                ? [{ name: 'requests', unit: '1', type: 'sum' as const, aggregationTemporality: 1 as const, isMonotonic: true, dataPoints: [{ attributes: {}, startTimeUnixNano: ns(ms - 1000), timeUnixNano: ns(ms), value: opts.delta }] }]
                : []),
            ],
          },
        ],
      },
    ],
  };
}

const dirs: string[] = [];
const exporters: HistoryExporter[] = [];
afterEach(async () => {
  for (const e of exporters.splice(0)) await e.shutdown();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function started(id = 'history', extra: Record<string, unknown> = {}): Promise<{ exp: HistoryExporter; set: ReturnType<typeof testSettings>; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'telemd-history-'));
  dirs.push(dir);
  const ctx = new ParseContext();
  const cfg = configSchema.parse({ directory: join(dir, 'h'), ...extra }, ctx);
  expect(ctx.issues).toEqual([]);
  const set = testSettings(id, 'exporter');
  const exp = factory.create(set, cfg, ['metrics']) as HistoryExporter;
  await exp.start(testHost());
  exporters.push(exp);
  return { exp, set, dir };
}

describe('history exporter', () => {
  it('stores exactly the series the prometheus exporter exposes, and registers its store by id', async () => {
    const { set } = await started('history/main');
    const prom = new PrometheusExporter(testSettings('prometheus', 'exporter'), promSchema.parse({}, new ParseContext()));
    const store = storeFor('history/main')!;
    expect(openStores().map((s) => s.id)).toContain('history/main');
    for (let i = 0; i < 3; i++) {
      const md = batch(T + i * 1000, 10 + i, { delta: 5 });
      await exporters[0]!.consumers.metrics!.consume(md);
      prom.ingest(md, Date.now());
    }
    const exposed = parseExposition(prom.render(false), false).flatMap((f) => f.samples.map((s) => Object.fromEntries(s.labels.map((l) => [l.name, l.value]).concat([['__name__', s.name]]))));
    const stored = await store.select({ minT: 0, maxT: 2 * T }, [{ name: '__name__', type: '=~', value: '.+' }]);
    const key = (l: Record<string, string>) => JSON.stringify(Object.entries(l).sort());
    expect(stored.map((s) => key(s.labels as Record<string, string>)).sort()).toEqual(exposed.map(key).sort());
    expect(stored.length).toBe(10); // 2 cpu, memory, 3 buckets + sum + count, requests (delta accumulated), target_info
    const user = stored.find((s) => s.labels.state === 'user')!;
    expect(user.labels).toEqual({ __name__: 'system_cpu_time_seconds_total', cpu: 'cpu0', state: 'user', job: 'telemd', instance: 'h1', otel_scope_name: 'telemd/receiver/hostmetrics/cpu' });
    expect(Array.from(user.v)).toEqual([10, 11, 12]);
    const req = stored.find((s) => s.labels.__name__ === 'requests_total')!;
    expect(Array.from(req.v)).toEqual([5, 10, 15]);
    const inf = stored.find((s) => s.labels.le === '+Inf')!;
    expect(inf.labels.__name__).toBe('http_server_duration_milliseconds_bucket');
    expect(metric(set.registry, 'telemd_exporter_sent_items_total')).toBe(3 * 5);
    expect(metric(set.registry, 'telemd_exporter_history_samples_appended_total')).toBe(3 * 10);
    expect(metric(set.registry, 'telemd_exporter_history_series')).toBe(10);
    expect(metric(set.registry, 'telemd_exporter_history_disk_bytes', { tier: 'wal' })).toBeGreaterThan(0);
    expect(metric(set.registry, 'telemd_exporter_history_disk_bytes', { tier: '1m' })).toBe(0);
  });

  it('stores the staleness marker of a point with no recorded value, counts refusals and keeps going', async () => {
    const { exp, set } = await started();
    const c = exp.consumers.metrics!;
    await c.consume(batch(T, 1));
    await c.consume(batch(T + 1000, 2, { stale: true }));
    await c.consume(batch(T + 500, 9)); // older than what is stored
    const user = (await exp.store!.select({ minT: 0, maxT: 2 * T }, [{ name: 'state', type: '=', value: 'user' }]))[0]!;
    expect(user.t.length).toBe(2);
    expect(isStaleNaN(user.v[1]!)).toBe(true);
    expect(metric(set.registry, 'telemd_exporter_history_samples_refused_total', { reason: 'out_of_order' })).toBe(9);
    expect(set.lines.some((l) => l.msg === 'history: samples not stored' && l.reason === 'out_of_order')).toBe(true);
  });

  it('refuses batches as retryable before start and after shutdown, counting nothing as sent', async () => {
    const { exp, set } = await started();
    await exp.shutdown();
    expect(storeFor('history')).toBeUndefined();
    const err = await exp.consumers.metrics!.consume(batch(T, 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsumerError);
    expect((err as ConsumerError).kind).toBe('retryable');
    expect(metric(set.registry, 'telemd_exporter_sent_items_total')).toBe(0);
  });

  it('reopens its directory with the data of the previous run, and refuses a second store on it', async () => {
    const { exp, dir } = await started();
    await exp.consumers.metrics!.consume(batch(T, 1));
    const ctx = new ParseContext();
    const twin = factory.create(testSettings('history/twin', 'exporter'), configSchema.parse({ directory: join(dir, 'h') }, ctx), ['metrics']);
    await expect(twin.start(testHost())).rejects.toThrow(/already open/);
    await exp.shutdown();
    const again = factory.create(testSettings('history', 'exporter'), configSchema.parse({ directory: join(dir, 'h') }, ctx), ['metrics']) as HistoryExporter;
    await again.start(testHost());
    exporters.push(again);
    expect((await again.store!.select({ minT: 0, maxT: 2 * T }, [{ name: '__name__', type: '=~', value: 'system_.*' }])).length).toBe(3);
    // Family metadata (for /api/v1/metadata) survives the restart too.
    expect(again.store!.metadata().get('system_cpu_time_seconds_total')).toEqual({ type: 'counter', help: '', unit: 'seconds' });
    expect(again.store!.metadata().get('http_server_duration_milliseconds')?.type).toBe('histogram');
  });
});

describe('history exporter config', () => {
  const parse = (v: unknown) => {
    const ctx = new ParseContext();
    const cfg = configSchema.parse(v, ctx);
    return { cfg, issues: ctx.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  };

  it('defaults to history/ under the state directory, a 1 s fsync interval, 1 GiB and three tiers', () => {
    const { cfg, issues } = parse({});
    expect(issues).toEqual([]);
    expect(cfg.directory).toMatch(/(data\/state|\/var\/lib\/telemd)\/history$/);
    expect(cfg.wal_fsync_interval).toBe(1000);
    expect(cfg.max_size).toBe(1024 ** 3);
    expect(cfg.tiers).toEqual([
      { resolution: 'raw', retention: 86_400_000 },
      { resolution: '1m', retention: 14 * 86_400_000 },
      { resolution: '1h', retention: 365 * 86_400_000 },
    ]);
    const prev = process.env.STATE_DIRECTORY;
    process.env.STATE_DIRECTORY = '/var/lib/telemd';
    try {
      expect(parse({}).cfg.directory).toBe('/var/lib/telemd/history');
    } finally {
      if (prev === undefined) delete process.env.STATE_DIRECTORY;
      else process.env.STATE_DIRECTORY = prev;
    }
  });

  it('accepts tiers in Prometheus durations and refuses bad ones with their path', () => {
    expect(parse({ tiers: [{ resolution: 'raw', retention: '2d' }, { resolution: '5m', retention: '1y' }] }).issues).toEqual([]);
    expect(parse({ tiers: [{ resolution: '1m', retention: '1d' }] }).issues).toEqual(['tiers: the first tier must be `resolution: raw`']);
    expect(parse({ tiers: [{ resolution: 'raw', retention: '1d' }, { resolution: '1h', retention: '1d' }, { resolution: '1m', retention: '1d' }] }).issues[0]).toMatch(/^tiers: tier 2 \(1m\) must be coarser/);
    expect(parse({ tiers: [{ resolution: 'raw', retention: '1d' }, { resolution: 'hourly', retention: '1d' }] }).issues).toEqual(['tiers.1.resolution: expected "raw" or a duration such as 1m, got "hourly"']);
    expect(parse({ tiers: [{ resolution: 'raw' }] }).issues).toEqual(['tiers.0.retention: is required']);
    expect(parse({ wal_fsync_intervall: '1s' }).issues[0]).toMatch(/did you mean "wal_fsync_interval"/);
  });
});
