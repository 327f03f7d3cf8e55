import { describe, expect, it } from 'vitest';
import { parseLine } from '../../receivers/statsd/parse.js';
import { Aggregator, summaryPoint } from '../../receivers/statsd/aggregate.js';
import { ExpHistogram } from '../../receivers/statsd/expohisto.js';
import { ParseContext } from '../../src/config/schema.js';
import { configSchema, type Config } from '../../receivers/statsd/config.js';
import type { ExponentialHistogramMetric, Metric, NumberDataPoint } from '../../src/pdata/types.js';

function cfg(raw: Record<string, unknown> = {}): Config {
  const ctx = new ParseContext();
  const c = configSchema.parse(raw, ctx);
  if (ctx.issues.length) throw new Error(JSON.stringify(ctx.issues));
  return c;
}
const pts = (ms: Metric[], name: string): NumberDataPoint[] => {
  const m = ms.find((x) => x.name === name);
  return m && (m.type === 'sum' || m.type === 'gauge') ? m.dataPoints : [];
};

describe('statsd line parser', () => {
  it('parses every type, sample rates, DogStatsD tags and packed values', () => {
    expect(parseLine('page.views:1|c', false)).toMatchObject({ name: 'page.views', type: 'counter', values: [1], rate: 1, attrs: {} });
    expect(parseLine('hits:3|c|@0.1|#env:prod,region:eu', false)).toMatchObject({ type: 'counter', values: [3], rate: 0.1, attrs: { env: 'prod', region: 'eu' } });
    expect(parseLine('temp:-4.5|g', false)).toMatchObject({ type: 'gauge', values: [-4.5], delta: true });
    expect(parseLine('temp:4.5|g', false)).toMatchObject({ type: 'gauge', values: [4.5], delta: false });
    expect(parseLine('lat:12:15.5:9|ms', false)).toMatchObject({ type: 'timing', values: [12, 15.5, 9] });
    expect(parseLine('size:100|h|#a:b:c', false)).toMatchObject({ type: 'histogram', attrs: { a: 'b:c' } });
    expect(parseLine('d:1|d|c:abc123|T1656581400', false)).toMatchObject({ type: 'distribution', values: [1] });
    expect(parseLine('users:alice|s', false)).toMatchObject({ type: 'set', member: 'alice' });
    expect(parseLine('x:1|c|#solo', true).attrs).toEqual({ solo: '' });
  });

  it('rejects malformed lines with a reason', () => {
    expect(() => parseLine('novalue', false)).toThrow(/expected <name>:<value>\|<type>/);
    expect(() => parseLine('a:1|x', false)).toThrow(/unknown metric type "x"/);
    expect(() => parseLine('a:abc|c', false)).toThrow(/invalid value "abc"/);
    expect(() => parseLine('a:1|c|@2', false)).toThrow(/invalid sample rate/);
    expect(() => parseLine('a:1|c|#solo', false)).toThrow(/enable_simple_tags/);
    expect(() => parseLine('a b:1|c', false)).toThrow(/invalid metric name/);
    expect(() => parseLine('a:|c', false)).toThrow(/invalid value/);
  });
});

describe('statsd aggregation', () => {
  it('counters are delta sums scaled by the sample rate; gauges keep their value for +/- changes', () => {
    const a = new Aggregator(cfg({ enable_metric_type: true }));
    for (const l of ['c:1|c', 'c:2|c|@0.5', 'c:1|c|#k:v', 'g:10|g', 'g:+5|g', 'g:-3|g', 's:a|s', 's:b|s', 's:a|s']) a.add(parseLine(l, false));
    const m = a.flush(1n, 2n);
    const c = m.find((x) => x.name === 'c')!;
    expect(c).toMatchObject({ type: 'sum', aggregationTemporality: 1, isMonotonic: false });
    expect(pts(m, 'c').map((p) => [p.attributes, p.value, p.startTimeUnixNano, p.timeUnixNano])).toEqual([
      [{ metric_type: 'counter' }, 5n, 1n, 2n],
      [{ k: 'v', metric_type: 'counter' }, 1n, 1n, 2n],
    ]);
    expect(pts(m, 'g').map((p) => p.value)).toEqual([12]);
    expect(pts(m, 's').map((p) => p.value)).toEqual([2n]);
    // next interval: nothing new → nothing emitted; a relative gauge change applies to 12
    expect(a.flush(2n, 3n)).toEqual([]);
    a.add(parseLine('g:+1|g', false));
    expect(pts(a.flush(3n, 4n), 'g').map((p) => p.value)).toEqual([13]);
    // idle for more than 5 intervals: forgotten, a change starts from 0 again
    for (let i = 0; i < 6; i++) a.flush(5n, 6n);
    a.add(parseLine('g:+1|g', false));
    expect(pts(a.flush(6n, 7n), 'g').map((p) => p.value)).toEqual([1]);
  });

  it('timers become exponential histograms with every value inside its bucket', () => {
    const a = new Aggregator(cfg());
    const vals = [0, 0.5, 1, 3, 7, 100, 250.5, 1000, 1e6];
    for (const v of vals) a.add(parseLine(`t:${v}|ms`, false));
    a.add(parseLine('t:2|ms|@0.25', false));
    const h = a.flush(0n, 1n).find((x) => x.name === 't') as ExponentialHistogramMetric;
    expect(h.type).toBe('exponentialHistogram');
    const p = h.dataPoints[0]!;
    expect(p.count).toBe(vals.length + 4);
    expect(p.zeroCount).toBe(1);
    expect(p.sum).toBeCloseTo(vals.reduce((x, y) => x + y, 0) + 8, 6);
    expect(p.min).toBe(0);
    expect(p.max).toBe(1e6);
    expect(p.positive.bucketCounts.length).toBeLessThanOrEqual(160);
    const base = 2 ** (2 ** -p.scale);
    for (const v of [...vals.filter((x) => x > 0), 2]) {
      const i = Math.ceil(Math.log2(v) * 2 ** p.scale) - 1 - p.positive.offset;
      expect(p.positive.bucketCounts[i]).toBeGreaterThan(0);
      expect(base ** (i + p.positive.offset)).toBeLessThan(v * (1 + 1e-9));
      expect(base ** (i + p.positive.offset + 1)).toBeGreaterThanOrEqual(v * (1 - 1e-9));
    }
  });

  it('downscales to stay within max_size buckets', () => {
    const h = new ExpHistogram(8);
    for (let i = 1; i <= 10000; i *= 3) h.add(i, 1);
    const p = h.point({}, 0n, 1n);
    expect(p.positive.bucketCounts.length).toBeLessThanOrEqual(8);
    expect(p.count).toBe(9);
    expect(p.scale).toBeLessThan(3);
  });

  it('refuses samples of new series beyond max_series, keeps existing series', () => {
    const a = new Aggregator(cfg({ max_series: 2 }));
    expect(a.add(parseLine('a:1|c', false))).toBe(true);
    expect(a.add(parseLine('b:1|c', false))).toBe(true);
    expect(a.add(parseLine('c:1|c', false))).toBe(false);
    expect(a.add(parseLine('a:1|c', false))).toBe(true);
    expect(pts(a.flush(0n, 1n), 'a').map((p) => p.value)).toEqual([2n]);
    expect(a.add(parseLine('c:1|c', false))).toBe(true);
  });

  it('summary and gauge observers per timer_histogram_mapping', () => {
    const a = new Aggregator(cfg({ timer_histogram_mapping: [{ statsd_type: 'timing', observer_type: 'summary', summary: { percentiles: [0, 50, 90, 100] } }, { statsd_type: 'histogram', observer_type: 'gauge' }] }));
    for (let i = 1; i <= 100; i++) a.add(parseLine(`t:${i}|ms`, false));
    a.add(parseLine('h:5|h', false));
    a.add(parseLine('h:7|h', false));
    const m = a.flush(0n, 1n);
    const s = m.find((x) => x.name === 't')!;
    expect(s.type).toBe('summary');
    if (s.type !== 'summary') return;
    expect(s.dataPoints[0]!.count).toBe(100);
    expect(s.dataPoints[0]!.sum).toBe(5050);
    expect(s.dataPoints[0]!.quantileValues).toEqual([{ quantile: 0, value: 1 }, { quantile: 0.5, value: 50 }, { quantile: 0.9, value: 90 }, { quantile: 1, value: 100 }]);
    expect(pts(m, 'h').map((p) => p.value)).toEqual([7]);
    expect(summaryPoint([1, 2], [3, 1], [50], {}, 0n, 1n).quantileValues[0]!.value).toBe(1);
  });
});
