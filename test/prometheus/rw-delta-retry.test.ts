// Review finding 7: delta -> cumulative sums are kept only for batches the exporter accepted, so a
// refused batch sent again (as the consumer contract asks) is not added twice.
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteWriteExporter } from '../../exporters/prometheusremotewrite/exporter.js';
import { factory } from '../../exporters/prometheusremotewrite/index.js';
import { ParseContext } from '../../src/config/schema.js';
import { DeltaAccumulator } from '../../src/prometheus/index.js';
import type { Metric, MetricsData } from '../../src/pdata/types.js';
import { host, md, settings, T0 } from './fixtures.js';
import { startFakeRw, type FakeRw } from './helpers/fake-rw.js';

const delta = (ts: bigint, v: number): Metric => ({
  name: 'requests', unit: '1', type: 'sum', isMonotonic: true, aggregationTemporality: 1,
  dataPoints: [{ attributes: {}, startTimeUnixNano: ts - 1_000_000_000n, timeUnixNano: ts, value: v }],
});
const deltaHist = (ts: bigint, counts: number[]): Metric => ({
  name: 'latency', unit: 's', type: 'histogram', aggregationTemporality: 1,
  dataPoints: [{ attributes: {}, startTimeUnixNano: ts - 1n, timeUnixNano: ts, count: counts.reduce((a, b) => a + b, 0), sum: 1, bucketCounts: counts, explicitBounds: [1] }],
});
const pointOf = (m: MetricsData) => m.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;

describe('DeltaAccumulator.stage', () => {
  it('rollback restores the sums kept before the batch', () => {
    const acc = new DeltaAccumulator('accumulate');
    acc.apply(md([delta(T0, 5), deltaHist(T0, [1, 2])]));
    const refused = md([delta(T0 + 1n, 5), deltaHist(T0 + 1n, [1, 2])]);
    const st = acc.stage(refused);
    expect(pointOf(refused)).toMatchObject({ dataPoints: [{ value: 10 }] });
    st.rollback();
    // Rolled back: the same batch staged again gets the same values, then is kept once.
    const again = md([delta(T0 + 1n, 5), deltaHist(T0 + 1n, [1, 2])]);
    acc.stage(again).commit();
    expect(pointOf(again)).toMatchObject({ dataPoints: [{ value: 10 }] });
    expect(again.resourceMetrics[0]!.scopeMetrics[0]!.metrics[1]).toMatchObject({ dataPoints: [{ count: 6, bucketCounts: [2, 4] }] });
    const next = md([delta(T0 + 2n, 5)]);
    acc.apply(next);
    expect(pointOf(next)).toMatchObject({ dataPoints: [{ value: 15 }] });
    expect(st.dropped).toBe(0);
  });

  it('adds two points of one series in one batch, and rolls both back', () => {
    const acc = new DeltaAccumulator('accumulate');
    acc.apply(md([delta(T0, 1)]));
    const values = (b: MetricsData) => b.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((m) => m.type === 'sum' && m.dataPoints[0]!.value);
    const b = md([delta(T0 + 1n, 2), delta(T0 + 2n, 3)]);
    acc.stage(b).rollback();
    expect(values(b)).toEqual([3, 6]);
    const again = md([delta(T0 + 1n, 2), delta(T0 + 2n, 3)]);
    acc.stage(again).commit();
    expect(values(again)).toEqual([3, 6]);
    const fresh = new DeltaAccumulator('accumulate');
    fresh.stage(md([delta(T0, 7)])).rollback();
    const first = md([delta(T0, 2)]);
    fresh.apply(first);
    expect(values(first)).toEqual([2]);
  });
});

let fake: FakeRw | undefined;
let rw: RemoteWriteExporter | undefined;
afterEach(async () => {
  await rw?.shutdown();
  await fake?.close();
  rw = undefined;
  fake = undefined;
});

async function start(raw: Record<string, unknown>): Promise<RemoteWriteExporter> {
  fake = await startFakeRw();
  const ctx = new ParseContext();
  const cfg = factory.config.parse({ endpoint: fake.url, stale_markers: { enabled: false }, target_info: { enabled: false }, ...raw }, ctx);
  expect(ctx.issues).toEqual([]);
  rw = new RemoteWriteExporter(settings('prometheusremotewrite'), cfg);
  await rw.start(host);
  return rw;
}

const written = () => fake!.received.filter((r) => r.status < 300).flatMap((r) => r.req.timeseries.flatMap((t) => t.samples.map((s) => s.value)));

describe('prometheusremotewrite delta batches refused and sent again', () => {
  it('a batch refused by the endpoint (503, no retries, no queue) is added once', async () => {
    const exp = await start({ sending_queue: { enabled: false }, retry_on_failure: { enabled: false } });
    fake!.script.push({ status: 503 });
    const b1 = md([delta(T0, 5)]);
    await expect(exp.consumers.metrics!.consume(structuredClone(b1))).rejects.toThrow(/503/);
    await exp.consumers.metrics!.consume(structuredClone(b1));
    await exp.consumers.metrics!.consume(md([delta(T0 + 1_000_000_000n, 5)]));
    expect(written()).toEqual([5, 10]);
  });

  it('a batch refused after its retries ran out (memory queue) is added once', async () => {
    const exp = await start({ sending_queue: { num_consumers: 2 }, retry_on_failure: { initial_interval: '10ms', max_interval: '10ms', max_elapsed_time: '50ms' } });
    await exp.consumers.metrics!.consume(md([delta(T0, 5)]));
    for (let i = 0; i < 50; i++) fake!.script.push({ status: 503 });
    const b2 = md([delta(T0 + 1_000_000_000n, 5)]);
    await expect(exp.consumers.metrics!.consume(structuredClone(b2))).rejects.toThrow(/503/);
    fake!.script.length = 0;
    await exp.consumers.metrics!.consume(structuredClone(b2));
    await exp.consumers.metrics!.consume(md([delta(T0 + 2_000_000_000n, 5)]));
    expect(written()).toEqual([5, 10, 15]);
  });
});
