import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/anomaly/index.js';
import { configSchema, type Config } from '../../processors/anomaly/config.js';
import { ParseContext } from '../../src/config/schema.js';
import { consumerOf } from '../../src/component/consumer.js';
import { AggregationTemporality, type LogsData, type MetricsData, type NumberDataPoint } from '../../src/pdata/types.js';
import { gauss, hostWith, metricValue, rng, settings } from '../analysis/helpers.js';
import { inprocAgents } from '../helpers/inproc.js';

const startInproc = inprocAgents();

function config(raw: Record<string, unknown> = {}): Config {
  const ctx = new ParseContext();
  const c = configSchema.parse(raw, ctx);
  expect(ctx.issues).toEqual([]);
  return c;
}

const T0 = 1_700_000_000n * 1_000_000_000n;
const STEP = 60n * 1_000_000_000n;

function gaugeBatch(i: number, values: Record<string, number>, type: 'gauge' | 'sum' = 'gauge'): MetricsData {
  const dataPoints: NumberDataPoint[] = Object.entries(values).map(([cpu, v]) => ({
    attributes: { cpu },
    startTimeUnixNano: T0,
    timeUnixNano: T0 + BigInt(i) * STEP,
    value: v,
  }));
  const metric =
    type === 'gauge'
      ? { name: 'system.cpu.utilization', type: 'gauge' as const, dataPoints }
      : { name: 'system.cpu.time', type: 'sum' as const, isMonotonic: true, aggregationTemporality: AggregationTemporality.Cumulative, dataPoints };
  return { resourceMetrics: [{ resource: { attributes: { 'host.name': 'h1' } }, scopeMetrics: [{ scope: { name: 's' }, metrics: [metric] }] }] };
}

function points(d: MetricsData): NumberDataPoint[] {
  const m = d.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
  return m.type === 'gauge' || m.type === 'sum' ? m.dataPoints : [];
}

describe('anomaly processor', () => {
  it('tags a CPU jump after warm-up and leaves warm-up points untagged (tag_all)', async () => {
    const set = settings('anomaly');
    const out: MetricsData[] = [];
    const p = factory.create(set, config(), 'metrics', consumerOf<MetricsData>((d) => void out.push(structuredClone(d))));
    await p.start(hostWith());
    const r = rng(7);
    for (let i = 0; i < 400; i++) await p.consume(gaugeBatch(i, { '0': (i >= 350 ? 0.95 : 0.1) + 0.02 * gauss(r) }));
    const pts = out.map((d) => points(d)[0]!);
    expect(pts.slice(0, 30).every((pt) => !('anomaly' in pt.attributes))).toBe(true);
    expect(pts.slice(30).every((pt) => typeof pt.attributes['anomaly.score'] === 'number')).toBe(true);
    const firstAnomaly = pts.findIndex((pt) => pt.attributes['anomaly'] === true);
    expect(firstAnomaly).toBeGreaterThanOrEqual(350);
    expect(firstAnomaly).toBeLessThan(355);
    expect(metricValue(set.registry, 'telemd_processor_anomaly_onsets_total')).toBe(1);
    expect(metricValue(set.registry, 'telemd_processor_anomaly_scored_points_total', { signal: 'metrics' })).toBe(400);
    await p.shutdown();
  });

  it('tag_anomalous tags only anomalous points; series are separate per attributes', async () => {
    const set = settings('anomaly/only');
    const out: MetricsData[] = [];
    const p = factory.create(set, config({ mode: 'tag_anomalous' }), 'metrics', consumerOf<MetricsData>((d) => void out.push(d)));
    const r = rng(8);
    // cpu 1 jumps at 300; cpu 0 stays flat-ish.
    for (let i = 0; i < 320; i++) await p.consume(gaugeBatch(i, { '0': 0.3 + 0.02 * gauss(r), '1': (i >= 300 ? 0.9 : 0.3) + 0.02 * gauss(r) }));
    const tagged0 = out.flatMap((d) => points(d).filter((pt) => pt.attributes['cpu'] === '0' && 'anomaly' in pt.attributes));
    const tagged1 = out.flatMap((d) => points(d).filter((pt) => pt.attributes['cpu'] === '1' && 'anomaly' in pt.attributes));
    expect(tagged1.length).toBeGreaterThan(0);
    expect(tagged1.every((pt) => pt.attributes['anomaly'] === true)).toBe(true);
    expect(tagged0.length).toBeLessThanOrEqual(1);
    expect(metricValue(set.registry, 'telemd_processor_anomaly_series')).toBe(2);
  });

  it('scores cumulative counters by their rate, not their level', async () => {
    const set = settings('anomaly');
    const out: MetricsData[] = [];
    const p = factory.create(set, config({ mode: 'tag_anomalous' }), 'metrics', consumerOf<MetricsData>((d) => void out.push(d)));
    const r = rng(9);
    let total = 0;
    for (let i = 0; i < 300; i++) {
      // A counter growing ~6/min (always rising: its level is new every time).
      total += 6 + gauss(r) * 0.5 + (i >= 280 ? 60 : 0);
      await p.consume(gaugeBatch(i, { '0': total }, 'sum'));
    }
    const tagged = out.map((d, i) => (points(d)[0]!.attributes['anomaly'] === true ? i : -1)).filter((i) => i >= 0);
    // The rate jump is tagged at once; the counter's ever-new level alone is not an anomaly.
    expect(tagged.find((i) => i >= 280)).toBeLessThan(285);
    expect(tagged.filter((i) => i < 280).length).toBeLessThanOrEqual(2);
  });

  it('does not score a retried batch twice (same timestamps pass on unscored, counted)', async () => {
    const set = settings('anomaly');
    const out: MetricsData[] = [];
    const p = factory.create(set, config({ warmup: 0 }), 'metrics', consumerOf<MetricsData>((d) => void out.push(d)));
    for (let i = 0; i < 50; i++) await p.consume(gaugeBatch(i, { '0': 1 + (i % 3) }));
    await p.consume(gaugeBatch(49, { '0': 2 }));
    expect(metricValue(set.registry, 'telemd_processor_anomaly_scored_points_total')).toBe(50);
    expect(metricValue(set.registry, 'telemd_processor_anomaly_stale_points_total')).toBe(1);
    expect(points(out.at(-1)!)[0]!.attributes['anomaly.score']).toBeUndefined();
  });

  it('caps series with LRU eviction and counts evictions', async () => {
    const set = settings('anomaly');
    const p = factory.create(set, config({ max_series: 2 }), 'metrics', consumerOf<MetricsData>(() => {}));
    for (let i = 0; i < 5; i++) await p.consume(gaugeBatch(i, { a: 1, b: 2, c: 3 }));
    expect(metricValue(set.registry, 'telemd_processor_anomaly_series')).toBe(2);
    expect(metricValue(set.registry, 'telemd_processor_anomaly_series_evicted_total')).toBeGreaterThanOrEqual(1);
  });

  it('emits an onset log record into a logs pipeline holding the same processor id', async () => {
    // Through the real graph: the hand-over is a connector between the two pipelines.
    const { probes, agent } = await startInproc(`
receivers:
  probe:
processors:
  anomaly/ev:
    emit_logs: true
exporters:
  sink/metrics:
  sink/logs:
service:
  pipelines:
    metrics: { receivers: [probe], processors: [anomaly/ev], exporters: [sink/metrics] }
    logs: { receivers: [probe], processors: [anomaly/ev], exporters: [sink/logs] }
`);
    const into = probes.receivers.get('probe')!.consumers;
    // Logs of the logs pipeline itself pass through untouched.
    const own: LogsData = { resourceLogs: [{ resource: { attributes: {} }, scopeLogs: [{ scope: { name: 'x' }, logRecords: [{ timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: 9, body: 'hello', attributes: {} }] }] }] };
    await into.logs!.consume(own);
    const r = rng(10);
    for (let i = 0; i < 200; i++) await into.metrics!.consume(gaugeBatch(i, { '0': (i >= 180 ? 5 : 1) + 0.05 * gauss(r) }));
    await new Promise((res) => setTimeout(res, 10));
    const logs = probes.sinks.get('sink/logs')!.map((x) => x.data as LogsData);
    expect(logs[0]).toBe(own);
    expect(metricValue(agent.registry, 'telemd_processor_injected_items_total', { signal: 'logs' })).toBe(1);
    const rec = logs[1]!.resourceLogs[0]!;
    expect(rec.resource.attributes['host.name']).toBe('h1');
    const lr = rec.scopeLogs[0]!.logRecords[0]!;
    expect(lr.eventName).toBe('anomaly.onset');
    expect(lr.attributes['metric.name']).toBe('system.cpu.utilization');
    expect(lr.attributes['cpu']).toBe('0');
    expect(Number(lr.attributes['anomaly.score'])).toBeGreaterThanOrEqual(0.9);
    expect(String(lr.body)).toMatch(/^anomaly in system\.cpu\.utilization: [45]\.\d+ outside the expected \S+\.\.\S+ \(score (0\.9\d+|1\.000)\)$/);
  });

  it('emits one onset per incident: a sustained burst once, a second burst later again', async () => {
    const { probes } = await startInproc(`
receivers:
  probe:
processors:
  anomaly/ev:
    emit_logs: true
exporters:
  sink/metrics:
  sink/logs:
service:
  pipelines:
    metrics: { receivers: [probe], processors: [anomaly/ev], exporters: [sink/metrics] }
    logs: { receivers: [probe], processors: [anomaly/ev], exporters: [sink/logs] }
`);
    const into = probes.receivers.get('probe')!.consumers;
    const r = rng(11);
    // Two CPU burns of 30 points each, 400 points apart, on a quiet idle level; the burns are noisy,
    // so their scores dip below the threshold: the damping keeps each burn one incident.
    const burn = (i: number) => (i >= 300 && i < 330) || (i >= 730 && i < 760);
    for (let i = 0; i < 900; i++) await into.metrics!.consume(gaugeBatch(i, { '0': burn(i) ? 6 + 1.5 * gauss(r) : 1 + 0.05 * gauss(r) }));
    await new Promise((res) => setTimeout(res, 10));
    const onsets = probes.sinks.get('sink/logs')!.flatMap((x) => (x.data as LogsData).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)));
    const at = onsets.map((lr) => Number((lr.timeUnixNano - T0) / STEP));
    expect(at).toHaveLength(2);
    expect(at[0]).toBeGreaterThanOrEqual(300);
    expect(at[0]).toBeLessThan(305);
    expect(at[1]).toBeGreaterThanOrEqual(730);
    expect(at[1]).toBeLessThan(735);
  });

  it('warns once when emit_logs has no logs pipeline, and keeps tagging', async () => {
    const set = settings('anomaly/lonely');
    const p = factory.create(set, config({ emit_logs: true }), 'metrics', consumerOf<MetricsData>(() => {}));
    for (let i = 0; i < 200; i++) await p.consume(gaugeBatch(i, { '0': i >= 150 && i % 20 === 0 ? 100 : 1 }));
    expect(set.lines.filter((l) => String(l['msg']).includes('no logs pipeline')).length).toBe(1);
    expect(metricValue(set.registry, 'telemd_processor_anomaly_onsets_total')).toBeGreaterThanOrEqual(1);
  });

  it('rejects unknown keys and out-of-range thresholds with clear errors', () => {
    const ctx = new ParseContext();
    configSchema.parse({ treshold: 0.5, max_series: 0 }, ctx);
    const msgs = ctx.issues.map((i) => i.message).join('\n');
    expect(msgs).toMatch(/unknown key "treshold"; did you mean "threshold"/);
    expect(ctx.issues.length).toBe(2);
  });
});
