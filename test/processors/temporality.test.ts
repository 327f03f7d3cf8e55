import { describe, expect, it } from 'vitest';
import { factory as c2d } from '../../processors/cumulativetodelta/index.js';
import { factory as d2c } from '../../processors/deltatocumulative/index.js';
import { AggregationTemporality, type HistogramMetric, type Metric, type MetricsData, type SumMetric } from '../../src/pdata/types.js';
import { nowNanos } from '../../src/pdata/time.js';
import { allMetrics, make, metrics, point } from './helpers.js';

const sum = (temporality: AggregationTemporality, v: number | bigint, time: bigint, start: bigint, attrs = {}): Metric => ({
  type: 'sum', name: 'requests', aggregationTemporality: temporality, isMonotonic: true, dataPoints: [point(v, attrs, time, start)],
});
const hist = (temporality: AggregationTemporality, counts: number[], time: bigint, start: bigint): HistogramMetric => ({
  type: 'histogram', name: 'latency', aggregationTemporality: temporality,
  dataPoints: [{ attributes: {}, startTimeUnixNano: start, timeUnixNano: time, count: counts.reduce((a, b) => a + b, 0), sum: counts.reduce((a, b) => a + b, 0) * 10, bucketCounts: counts, explicitBounds: [5, 10] }],
});
const points = (batches: MetricsData[]) =>
  allMetrics(batches).flatMap((m) => (m.type === 'sum' ? m.dataPoints.map((d) => ({ v: d.value, start: d.startTimeUnixNano, time: d.timeUnixNano, t: m.aggregationTemporality })) : []));

describe('cumulativetodelta', () => {
  it('turns cumulative sums into deltas, drops the unknown-start first point (auto) and handles resets', async () => {
    const { p, sink } = await make(c2d, {}, 'metrics');
    const C = AggregationTemporality.Cumulative;
    for (const [v, t] of [[10n, 10n], [15n, 20n], [15n, 30n], [4n, 40n], [9n, 50n]] as const) await p.consume(metrics([sum(C, v, t, 1n)]));
    await p.consume(metrics([sum(C, 99n, 35n, 1n)])); // out of order: dropped
    expect(points(sink.batches)).toEqual([
      { v: 5n, start: 10n, time: 20n, t: 1 },
      { v: 0n, start: 20n, time: 30n, t: 1 },
      { v: 4n, start: 30n, time: 40n, t: 1 }, // counter reset: the new value is the delta
      { v: 5n, start: 40n, time: 50n, t: 1 },
    ]);
  });

  it('keeps a first point whose start is after the processor started (auto), or always with keep', async () => {
    const { p, sink } = await make(c2d, {}, 'metrics');
    const start = nowNanos() + 1_000_000n;
    await p.consume(metrics([sum(AggregationTemporality.Cumulative, 3, start + 10n, start)]));
    expect(points(sink.batches)).toEqual([{ v: 3, start, time: start + 10n, t: 1 }]);
    const k = await make(c2d, { initial_value: 'keep' }, 'metrics');
    await k.p.consume(metrics([sum(AggregationTemporality.Cumulative, 7, 10n, 1n)]));
    expect(points(k.sink.batches)).toHaveLength(1);
  });

  it('tracks series separately and converts histograms bucket by bucket; include filters by name', async () => {
    const { p, sink } = await make(c2d, { initial_value: 'keep', include: { metrics: ['latency', 'requests'] } }, 'metrics');
    const C = AggregationTemporality.Cumulative;
    await p.consume(metrics([sum(C, 1, 10n, 1n, { a: 'x' }), sum(C, 100, 10n, 1n, { a: 'y' }), hist(C, [1, 2, 3], 10n, 1n)]));
    await p.consume(metrics([sum(C, 3, 20n, 1n, { a: 'x' }), sum(C, 150, 20n, 1n, { a: 'y' }), hist(C, [2, 4, 3], 20n, 1n)]));
    const out = allMetrics(sink.batches.slice(1));
    expect(out.map((m) => (m as SumMetric).dataPoints[0]!.value ?? null).slice(0, 2)).toEqual([2, 50]);
    const h = out[2] as HistogramMetric;
    expect(h.aggregationTemporality).toBe(AggregationTemporality.Delta);
    expect(h.dataPoints[0]).toMatchObject({ count: 3, sum: 30, bucketCounts: [1, 2, 0], startTimeUnixNano: 10n });
    const ex = await make(c2d, { exclude: { metrics: ['^req'], match_type: 'regexp' } }, 'metrics');
    await ex.p.consume(metrics([sum(C, 1, 10n, 1n)]));
    expect(allMetrics(ex.sink.batches)[0]!.type === 'sum' && (allMetrics(ex.sink.batches)[0] as SumMetric).aggregationTemporality).toBe(C);
  });
});

describe('deltatocumulative', () => {
  it('accumulates delta sums and histograms, drops late points, and round-trips with cumulativetodelta', async () => {
    const { p, sink, set } = await make(d2c, {}, 'metrics');
    const D = AggregationTemporality.Delta;
    await p.consume(metrics([sum(D, 5, 20n, 10n), hist(D, [1, 0, 2], 20n, 10n)]));
    await p.consume(metrics([sum(D, 3, 30n, 20n), hist(D, [0, 1, 1], 30n, 20n)]));
    await p.consume(metrics([sum(D, 100, 25n, 20n)])); // late: dropped
    await p.consume(metrics([sum(D, 2, 40n, 30n)]));
    expect(points(sink.batches)).toEqual([
      { v: 5, start: 10n, time: 20n, t: 2 },
      { v: 8, start: 10n, time: 30n, t: 2 },
      { v: 10, start: 10n, time: 40n, t: 2 },
    ]);
    const h = allMetrics(sink.batches).filter((m) => m.type === 'histogram') as HistogramMetric[];
    expect(h[1]!.dataPoints[0]).toMatchObject({ count: 5, bucketCounts: [1, 1, 3], sum: 50, startTimeUnixNano: 10n });
    expect(set.registry.renderPrometheus()).toMatch(/telemd_deltatocumulative_out_of_order_items_total\{[^}]*\} 1/);

    // delta -> cumulative -> delta gives the original deltas back (after the first point).
    const back = await make(c2d, { initial_value: 'keep' }, 'metrics');
    for (const b of sink.batches) await back.p.consume(structuredClone(b));
    expect(points(back.sink.batches).map((x) => x.v)).toEqual([5, 3, 2]);
  });

  it('max_streams drops points of new streams beyond the limit', async () => {
    const { p, sink } = await make(d2c, { max_streams: 1 }, 'metrics');
    const D = AggregationTemporality.Delta;
    await p.consume(metrics([sum(D, 1, 20n, 10n, { s: 'a' }), sum(D, 1, 20n, 10n, { s: 'b' })]));
    expect(points(sink.batches)).toHaveLength(1);
  });
});

describe('stream identity', () => {
  it('ignores attribute order but not types or tricky string boundaries', async () => {
    const { attrsKey } = await import('../../src/processorhelper/series.js');
    expect(attrsKey({ a: 'x', b: 1n })).toBe(attrsKey({ b: 1n, a: 'x' }));
    expect(attrsKey({ a: '1' })).not.toBe(attrsKey({ a: 1n }));
    expect(attrsKey({ a: 1n })).not.toBe(attrsKey({ a: 1 }));
    expect(attrsKey({ a: 'x,1:b=s1:y' })).not.toBe(attrsKey({ a: 'x', b: 'y' }));
    expect(attrsKey({ 'a=s1': 'x' })).not.toBe(attrsKey({ a: '1:x' }));
  });

  it('leaves out the skipped key (forecast groups states of one resource)', async () => {
    const { attrsKey } = await import('../../src/processorhelper/series.js');
    expect(attrsKey({ state: 'used', dev: 'sda' }, 'state')).toBe(attrsKey({ dev: 'sda', state: 'free' }, 'state'));
    expect(attrsKey({ state: 'used', dev: 'sda' }, 'state')).not.toBe(attrsKey({ state: 'used', dev: 'sdb' }, 'state'));
  });
});

describe('stream state helpers', () => {
  it('forgets streams not seen for max age, scanning at most once per min(max age, 1 min)', async () => {
    const { staleSweeper } = await import('../../src/processorhelper/series.js');
    const t0 = Date.now();
    const m = new Map([['old', { seen: t0 - 5000 }], ['recent', { seen: t0 + 600 }]]);
    const sweep = staleSweeper(1000, m);
    sweep(t0 + 500); // too soon after creation for a scan
    expect([...m.keys()]).toEqual(['old', 'recent']);
    sweep(t0 + 1500);
    expect([...m.keys()]).toEqual(['recent']);
  });

  it('compares histogram bounds by value and length', async () => {
    const { sameBounds } = await import('../../src/processorhelper/series.js');
    expect(sameBounds([5, 10], [5, 10])).toBe(true);
    expect(sameBounds([5, 10], [5, 20])).toBe(false);
    expect(sameBounds([5, 10], [5])).toBe(false);
  });
});
