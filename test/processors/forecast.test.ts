import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/forecast/index.js';
import { configSchema, type Config } from '../../processors/forecast/config.js';
import { ParseContext } from '../../src/config/schema.js';
import { consumerOf } from '../../src/component/consumer.js';
import { AggregationTemporality, type LogsData, type Metric, type MetricsData } from '../../src/pdata/types.js';
import { gauss, hostWith, metricValue, rng, settings } from '../analysis/helpers.js';
import { inprocAgents } from '../helpers/inproc.js';

const startInproc = inprocAgents();

function config(raw: Record<string, unknown> = {}): Config {
  const ctx = new ParseContext();
  const c = configSchema.parse(raw, ctx);
  expect(ctx.issues).toEqual([]);
  return c;
}

const GB = 1e9;
const T0 = 1_700_000_000n * 1_000_000_000n;
const MIN = 60n * 1_000_000_000n;

/** One hostmetrics-shaped scrape of a filesystem: used/free/reserved as an int sum. */
function fsScrape(i: number, used: number, cap: number): MetricsData {
  const base = { device: '/dev/sda1', mode: 'rw', mountpoint: '/var', type: 'ext4' };
  const pt = (state: string, v: number) => ({ attributes: { ...base, state }, startTimeUnixNano: 0n, timeUnixNano: T0 + BigInt(i) * MIN, value: BigInt(Math.round(v)) });
  const reserved = 0.05 * cap;
  return {
    resourceMetrics: [{
      resource: { attributes: { 'host.name': 'h1' } },
      scopeMetrics: [{ scope: { name: 'hostmetrics' }, metrics: [{
        name: 'system.filesystem.usage', type: 'sum', isMonotonic: false, aggregationTemporality: AggregationTemporality.Cumulative, unit: 'By',
        dataPoints: [pt('used', used), pt('free', cap - reserved - used), pt('reserved', reserved)],
      }] }],
    }],
  };
}

const find = (d: MetricsData, name: string): Metric | undefined => d.resourceMetrics[0]!.scopeMetrics[0]!.metrics.find((m) => m.name === name);

describe('forecast processor', () => {
  it('forecasts a linear filesystem fill within 10% and keeps the input metric', async () => {
    const set = settings('forecast');
    const out: MetricsData[] = [];
    const p = factory.create(set, config(), 'metrics', consumerOf<MetricsData>((d) => void out.push(d)));
    await p.start(hostWith());
    const cap = 100 * GB;
    const usable = cap * 0.95;
    const r = rng(11);
    // 40 GB used, +1 GB/h: full (for users) after 55h. Observe 20h.
    for (let i = 0; i <= 20 * 60; i++) await p.consume(fsScrape(i, 40 * GB + (i / 60) * GB + gauss(r) * 0.05 * GB, cap));
    const last = out.at(-1)!;
    expect(find(last, 'system.filesystem.usage')).toBeDefined();
    const ttf = find(last, 'system.filesystem.usage.time_to_full');
    if (!ttf || ttf.type !== 'gauge') throw new Error('no time_to_full gauge');
    expect(ttf.unit).toBe('s');
    expect(ttf.dataPoints).toHaveLength(1);
    const pt = ttf.dataPoints[0]!;
    expect(pt.attributes).toEqual({ device: '/dev/sda1', mode: 'rw', mountpoint: '/var', type: 'ext4' });
    const truth = ((usable - 60 * GB) / GB) * 3600; // 35h left
    expect(Math.abs(Number(pt.value) - truth) / truth).toBeLessThan(0.1);
    const conf = find(last, 'system.filesystem.usage.time_to_full.confidence');
    if (!conf || conf.type !== 'gauge') throw new Error('no confidence gauge');
    expect(Number(conf.dataPoints[0]!.value)).toBeGreaterThan(0.9);
    expect(metricValue(set.registry, 'telemd_processor_forecast_series')).toBe(1);
  });

  it('emits nothing for a shrinking or flat filesystem', async () => {
    const out: MetricsData[] = [];
    const p = factory.create(settings('forecast'), config(), 'metrics', consumerOf<MetricsData>((d) => void out.push(d)));
    for (let i = 0; i < 100; i++) await p.consume(fsScrape(i, 50 * GB - i * 1e6, 100 * GB));
    expect(find(out.at(-1)!, 'system.filesystem.usage.time_to_full')).toBeUndefined();
  });

  it('emits one log record when the forecast falls under the horizon', async () => {
    // Through the real graph: the hand-over is a connector between the two pipelines.
    const { probes } = await startInproc(`
receivers:
  probe:
processors:
  forecast/x:
    emit_logs: true
    horizon: 24h
exporters:
  sink/metrics:
  sink/logs:
service:
  pipelines:
    metrics: { receivers: [probe], processors: [forecast/x], exporters: [sink/metrics] }
    logs: { receivers: [probe], processors: [forecast/x], exporters: [sink/logs] }
`);
    const mp = probes.receivers.get('probe')!.consumers.metrics!;
    const cap = 100 * GB;
    // +2 GB/h from 20 GB: under 24h left once used passes ~47 GB (after ~13.5h).
    for (let i = 0; i <= 20 * 60; i += 5) await mp.consume(fsScrape(i, 20 * GB + (i / 60) * 2 * GB, cap));
    await new Promise((res) => setTimeout(res, 10));
    const logs = probes.sinks.get('sink/logs')!.map((x) => x.data as LogsData);
    expect(logs).toHaveLength(1);
    const rec = logs[0]!.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    expect(rec.eventName).toBe('forecast.time_to_full');
    expect(String(rec.body)).toMatch(/^system\.filesystem\.usage \(\/var\) forecast to reach its limit in 2[0-4]\.\dh/);
    expect(rec.attributes['mountpoint']).toBe('/var');
  });

  it('forecasts a configured gauge with a fixed limit', async () => {
    const out: MetricsData[] = [];
    const p = factory.create(settings('forecast'), config({ targets: [{ metric: 'queue.depth', limit: 1000 }] }), 'metrics', consumerOf<MetricsData>((d) => void out.push(d)));
    for (let i = 0; i <= 60; i++)
      await p.consume({ resourceMetrics: [{ resource: { attributes: {} }, scopeMetrics: [{ scope: { name: 's' }, metrics: [{ name: 'queue.depth', type: 'gauge', dataPoints: [{ attributes: { q: 'a' }, startTimeUnixNano: 0n, timeUnixNano: T0 + BigInt(i) * MIN, value: 100 + i * 5 }] }] }] }] });
    const ttf = find(out.at(-1)!, 'queue.depth.time_to_full');
    if (!ttf || ttf.type !== 'gauge') throw new Error('no time_to_full');
    // 400 now, +5/min: 120 minutes left.
    expect(Number(ttf.dataPoints[0]!.value)).toBeCloseTo(7200, -1);
  });

  it('refuses a target with neither a limit nor states, clearly', () => {
    const cfg = config({ targets: [{ metric: 'x' }] });
    expect(factory.validate!(cfg)).toEqual(['targets: x needs a limit or a state_attribute (to sum its capacity from states)']);
    const ctx = new ParseContext();
    configSchema.parse({ horizn: '1h' }, ctx);
    expect(ctx.issues[0]!.message).toMatch(/did you mean "horizon"/);
  });
});
