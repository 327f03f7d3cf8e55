// The alerts connector in process: what the window makes of OTLP (names as the prometheus
// exporter, anomaly tags, delta counts), the agent's self-metrics as rule input, rule groups
// from a provider (the slo connector's seam), and what a restart keeps (firing alerts held
// until their data is back, pending `for` timers resumed, startsAt unchanged).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import type { Connector, PipelineRouter } from '../../src/component/component.js';
import type { LogsData, MetricsData, NumberDataPoint } from '../../src/pdata/types.js';
import { FileStorageClient } from '../../src/storage/index.js';
import { registerRuleGroups, RuleGroupsError } from '../../src/alerting/providers.js';
import { evalInstant } from '../../src/promql/index.js';
import { factory } from '../../connectors/alerts/index.js';
import { configSchema, type Config } from '../../connectors/alerts/config.js';
import { AlertWindow } from '../../connectors/alerts/window.js';
import { testHost } from '../helpers/host.js';
import { testSettings } from '../helpers/settings.js';
import { until } from '../helpers/wait.js';

function cfg(raw: Record<string, unknown>): Config {
  const ctx = new ParseContext();
  const c = configSchema.parse(raw, ctx);
  expect(ctx.issues).toEqual([]);
  return c;
}

const ns = (ms: number) => BigInt(ms) * 1_000_000n;

function gauge(name: string, points: { attrs?: Record<string, string | number | boolean>; value: number; t?: number }[], unit = ''): MetricsData {
  return {
    resourceMetrics: [
      {
        resource: { attributes: {} },
        scopeMetrics: [
          {
            scope: { name: 'test' },
            metrics: [{ name, unit, type: 'gauge', dataPoints: points.map((p): NumberDataPoint => ({ attributes: p.attrs ?? {}, startTimeUnixNano: 0n, timeUnixNano: ns(p.t ?? Date.now()), value: p.value })) }],
          },
        ],
      },
    ],
  };
}

function deltaSum(name: string, value: number, t: number): MetricsData {
  return {
    resourceMetrics: [
      {
        resource: { attributes: {} },
        scopeMetrics: [{ scope: { name: 'telemd/count' }, metrics: [{ name, type: 'sum', isMonotonic: true, aggregationTemporality: 1, dataPoints: [{ attributes: {}, startTimeUnixNano: ns(t - 1000), timeUnixNano: ns(t), value }] }] }],
      },
    ],
  };
}

function logsSink(): PipelineRouter<LogsData> & { records: { state: string; alertname: string; time: number }[] } {
  const records: { state: string; alertname: string; time: number }[] = [];
  return {
    pipelineIds: ['logs'],
    records,
    consumer: () => {
      throw new Error('not routed');
    },
    consume: async (ld: LogsData) => {
      for (const rl of ld.resourceLogs)
        for (const sl of rl.scopeLogs) for (const r of sl.logRecords) records.push({ state: String(r.attributes.state), alertname: String(r.attributes.alertname), time: Number(r.timeUnixNano / 1_000_000n) });
    },
  };
}

const running: Connector<MetricsData>[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.shutdown(1000);
});

async function start(c: Config, storage?: FileStorageClient, id = 'alerts') {
  const set = testSettings(id, 'connector');
  const logs = logsSink();
  const conn = factory.metricsToLogs!(set, c, logs);
  running.push(conn);
  await conn.start(testHost({ getStorage: storage ? async () => storage : undefined }));
  return { conn, logs, set };
}

describe('the window', () => {
  it('names series as the prometheus exporter does, turns anomaly tags into series, accumulates delta counts from zero', async () => {
    const w = new AlertWindow(600_000, 1000);
    w.setNames(new Set(['system_memory_usage_bytes', 'telemd_anomaly', 'telemd_anomaly_score', 'telemd_log_errors_total']));
    const now = Date.now();
    w.ingest(gauge('system.memory.usage', [{ attrs: { state: 'used', anomaly: true, 'anomaly.score': 0.97 }, value: 5e9, t: now }], 'By'));
    w.ingest(gauge('system.cpu.load_average.1m', [{ value: 3, t: now }], '{thread}'));
    w.ingest(deltaSum('telemd.log.errors', 40, now - 10_000));
    w.ingest(deltaSum('telemd.log.errors', 60, now));
    const q = async (e: string) => {
      const r = await evalInstant(w.store, e, now);
      return r.resultType === 'vector' ? r.result.map((s) => ({ ...s.labels, value: s.value })) : r;
    };
    expect(await q('system_memory_usage_bytes')).toEqual([{ __name__: 'system_memory_usage_bytes', state: 'used', value: 5e9 }]);
    expect(await q('telemd_anomaly')).toEqual([{ __name__: 'telemd_anomaly', anomaly_metric: 'system_memory_usage_bytes', state: 'used', value: 1 }]);
    expect(await q('telemd_anomaly_score')).toEqual([{ __name__: 'telemd_anomaly_score', anomaly_metric: 'system_memory_usage_bytes', state: 'used', value: 0.97 }]);
    // Not selected by any rule: not kept.
    expect(await q('system_cpu_load_average_1m')).toEqual([]);
    // The first batch of a count is an increase already (a zero at its start).
    expect(await q('increase(telemd_log_errors_total[1m])')).toEqual([{ value: expect.closeTo(100, 0) as unknown as number }]);
  });
});

describe('the alerts connector in process', () => {
  it("alerts on the agent's own self-metrics, without a pipeline for them", async () => {
    const { logs, set } = await start(cfg({ evaluation_interval: '200ms', rules: [{ alert: 'QueueFull', expr: 'telemd_exporter_queue_size > 5', labels: { severity: 'warning' } }] }));
    set.telemetry.registry.gauge('telemd_exporter_queue_size', 'q', { exporter: 'otlp', signal: 'logs' }).set(9);
    await until(() => logs.records.some((r) => r.state === 'firing' && r.alertname === 'QueueFull'), 10_000, 'the self-metric alert');
  });

  it('evaluates rule groups a provider registers, and refuses invalid ones with their messages', async () => {
    expect(() => registerRuleGroups('slo/x', [{ name: 'bad', rules: [{ alert: 'B', expr: 'rate(x[5m' }] }])).toThrow(RuleGroupsError);
    const remove = registerRuleGroups('slo/web', [
      {
        name: 'slo:web',
        interval: '200ms',
        rules: [
          { record: 'slo:burn', expr: 'errors / total' },
          { alert: 'BurnFast', expr: 'slo:burn > 0.5', labels: { slo: 'web', severity: 'page' } },
        ],
      },
    ]);
    try {
      const { conn, logs } = await start(cfg({}));
      const feed = setInterval(() => {
        void conn.consume(gauge('errors', [{ value: 9 }]));
        void conn.consume(gauge('total', [{ value: 10 }]));
      }, 50);
      try {
        await until(() => logs.records.some((r) => r.state === 'firing' && r.alertname === 'BurnFast'), 10_000, 'the provided alert');
      } finally {
        clearInterval(feed);
      }
    } finally {
      remove();
    }
  });

  it('after a restart: a firing alert is held until its data is back (then resolves), a pending one resumes its `for`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telemd-alerts-state-'));
    const storage = () => {
      const s = new FileStorageClient(join(dir, 'c'), true);
      return s.open(0o700).then(() => s);
    };
    const c = cfg({
      evaluation_interval: '200ms',
      storage: 'file_storage',
      rules: [
        { alert: 'Hot', expr: 'temp > 50', for: '400ms' },
        { alert: 'Slow', expr: 'latency > 1', for: '3s' },
      ],
    });
    const first = await start(c, await storage());
    const feed = (conn: Connector<MetricsData>, temp: number, latency: number) =>
      setInterval(() => {
        void conn.consume(gauge('temp', [{ value: temp }]));
        void conn.consume(gauge('latency', [{ value: latency }]));
      }, 50);
    let f = feed(first.conn, 80, 5);
    const fired = await until(() => first.logs.records.find((r) => r.state === 'firing' && r.alertname === 'Hot'), 10_000, 'Hot firing');
    const slowPending = first.logs.records.find((r) => r.alertname === 'Slow' && r.state === 'pending')!;
    clearInterval(f);
    await first.conn.shutdown(1000);
    running.splice(running.indexOf(first.conn), 1);
    const downFrom = Date.now();
    await new Promise((r) => setTimeout(r, 1500));

    const second = await start(c, await storage());
    const downtime = Date.now() - downFrom;
    // No data yet: Hot is held (not resolved), Slow stays pending.
    await new Promise((r) => setTimeout(r, 1200));
    expect(second.logs.records).toEqual([]);
    const api = (await import('../../src/console/routes.js')).registeredRoutes();
    expect(api.some((r) => r.route.path === '/api/v1/alerts')).toBe(true);
    // Data back, still hot: Slow fires after its remaining `for`, not counting the downtime.
    f = feed(second.conn, 80, 5);
    const slowFiring = await until(() => second.logs.records.find((r) => r.alertname === 'Slow' && r.state === 'firing'), 15_000, 'Slow firing');
    expect(slowFiring.time - slowPending.time).toBeGreaterThanOrEqual(3000 + downtime - 300);
    expect(second.logs.records.filter((r) => r.alertname === 'Hot')).toEqual([]);
    clearInterval(f);
    // Cooler: Hot resolves (a transition of the alert that fired before the restart).
    f = feed(second.conn, 20, 5);
    const resolved = await until(() => second.logs.records.find((r) => r.alertname === 'Hot' && r.state === 'resolved'), 10_000, 'Hot resolved');
    expect(resolved.time).toBeGreaterThan(fired.time);
    clearInterval(f);
  });
});
