import { describe, expect, it } from 'vitest';
import { metricName, labelName, translateMetrics, defaultTranslateOptions, DeltaAccumulator, writeText } from '../../src/prometheus/index.js';
import type { PromSample } from '../../src/prometheus/index.js';
import { cpuTime, md, T0 } from './fixtures.js';

const lbl = (s: PromSample) => Object.fromEntries(s.labels.map((l) => [l.name, l.value]));

describe('metric names', () => {
  it('follows the OpenTelemetry spec for suffixes', () => {
    const o = { addSuffixes: true };
    expect(metricName('system.cpu.time', 's', 'counter', o)).toBe('system_cpu_time_seconds_total');
    expect(metricName('system.memory.usage', 'By', 'gauge', o)).toBe('system_memory_usage_bytes');
    expect(metricName('system.network.io', 'By', 'counter', o)).toBe('system_network_io_bytes_total');
    expect(metricName('system.cpu.utilization', '1', 'gauge', o)).toBe('system_cpu_utilization_ratio');
    expect(metricName('system.network.packets', '{packets}', 'counter', o)).toBe('system_network_packets_total');
    expect(metricName('http.server.duration', 'ms', 'histogram', o)).toBe('http_server_duration_milliseconds');
    expect(metricName('net.rate', 'By/s', 'gauge', o)).toBe('net_rate_bytes_per_second');
    expect(metricName('requests.total', '1', 'counter', o)).toBe('requests_total');
    expect(metricName('2xx', '', 'gauge', o)).toBe('_2xx');
    expect(metricName('system.cpu.time', 's', 'counter', { addSuffixes: false })).toBe('system_cpu_time');
    expect(metricName('x', 's', 'counter', { addSuffixes: true, namespace: 'ns' })).toBe('ns_x_seconds_total');
  });
  it('sanitizes label names', () => {
    expect(labelName('http.method')).toBe('http_method');
    expect(labelName('0abc')).toBe('key_0abc');
    expect(labelName('__meta')).toBe('key__meta');
    expect(labelName('_ok')).toBe('_ok');
  });
});

describe('translateMetrics', () => {
  it('turns a monotonic cumulative sum into a counter with job, instance and scope labels', () => {
    const r = translateMetrics(md([cpuTime()], { 'service.name': 'api', 'service.namespace': 'shop', 'service.instance.id': 'i-1', 'host.name': 'h' }));
    const fam = r.families.find((f) => f.name === 'system_cpu_time_seconds_total')!;
    expect(fam.type).toBe('counter');
    expect(fam.samples.map(lbl)).toEqual([
      { __name__: 'system_cpu_time_seconds_total', cpu: 'cpu0', state: 'user', job: 'shop/api', instance: 'i-1', otel_scope_name: 'test', otel_scope_version: '1.0' },
      { __name__: 'system_cpu_time_seconds_total', cpu: 'cpu0', state: 'idle', job: 'shop/api', instance: 'i-1', otel_scope_name: 'test', otel_scope_version: '1.0' },
    ]);
    expect(fam.samples[0]!.labels.map((l) => l.name)).toEqual([...fam.samples[0]!.labels.map((l) => l.name)].sort());
    expect(fam.samples[0]!.timestampMs).toBe(1_700_000_000_000);
    const ti = r.families.find((f) => f.name === 'target_info')!;
    expect(ti.samples.map(lbl)).toEqual([{ __name__: 'target_info', host_name: 'h', job: 'shop/api', instance: 'i-1' }]);
  });

  it('writes histograms as cumulative buckets, sum and count; drops empty labels; merges colliding names', () => {
    const r = translateMetrics(
      md([{ name: 'rpc.duration', unit: 's', type: 'histogram', aggregationTemporality: 2, dataPoints: [{
        attributes: { 'a.b': 'x', a_b: 'y', empty: '' }, startTimeUnixNano: T0, timeUnixNano: T0, count: 6, sum: 3.5,
        bucketCounts: [1, 2, 3], explicitBounds: [0.1, 1],
      }] }]),
      { ...defaultTranslateOptions, targetInfo: false, scopeLabels: false },
    );
    const s = r.families[0]!.samples.map((x) => [lbl(x).__name__, lbl(x).le, x.value]);
    expect(s).toEqual([
      ['rpc_duration_seconds_bucket', '0.1', 1],
      ['rpc_duration_seconds_bucket', '1', 3],
      ['rpc_duration_seconds_bucket', '+Inf', 6],
      ['rpc_duration_seconds_sum', undefined, 3.5],
      ['rpc_duration_seconds_count', undefined, 6],
    ]);
    expect(lbl(r.families[0]!.samples[0]!)).toMatchObject({ a_b: 'x;y', job: 'telemd' });
    expect(lbl(r.families[0]!.samples[0]!)).not.toHaveProperty('empty');
  });

  it('writes summaries as quantiles and refuses (counts) delta and exponential histograms', () => {
    const r = translateMetrics(md([
      { name: 'lat', type: 'summary', dataPoints: [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: T0, count: 2, sum: 4, quantileValues: [{ quantile: 0.5, value: 1 }, { quantile: 0.99, value: 3 }] }] },
      { name: 'd', type: 'sum', isMonotonic: true, aggregationTemporality: 1, dataPoints: [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: T0, value: 1 }] },
      { name: 'e', type: 'exponentialHistogram', aggregationTemporality: 2, dataPoints: [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: T0, count: 0, scale: 0, zeroCount: 0, positive: { offset: 0, bucketCounts: [] }, negative: { offset: 0, bucketCounts: [] } }] },
    ]));
    expect(r.dropped).toBe(2);
    const f = r.families.find((x) => x.name === 'lat')!;
    expect(f.samples.map((x) => [lbl(x).__name__, lbl(x).quantile, x.value])).toEqual([
      ['lat', '0.5', 1], ['lat', '0.99', 3], ['lat_sum', undefined, 4], ['lat_count', undefined, 2],
    ]);
  });

  it('promotes resource attributes and adds extra labels without overriding', () => {
    const r = translateMetrics(md([cpuTime()]), { ...defaultTranslateOptions, resourceToTelemetry: true, extraLabels: { cluster: 'c1', cpu: 'nope' } });
    expect(lbl(r.families[0]!.samples[0]!)).toMatchObject({ host_name: 'h1', service_name: 'telemd', cluster: 'c1', cpu: 'cpu0' });
  });

  it('adds scope attributes as otel_scope_* labels', () => {
    const d = md([cpuTime()]);
    d.resourceMetrics[0]!.scopeMetrics[0]!.scope.attributes = { 'lib.tier': 'core' };
    expect(lbl(translateMetrics(d).families[0]!.samples[0]!)).toMatchObject({ otel_scope_name: 'test', otel_scope_lib_tier: 'core' });
  });

  it('marks points without a recorded value as stale', () => {
    const m = cpuTime();
    if (m.type === 'sum') m.dataPoints[0]!.flags = 1;
    const r = translateMetrics(md([m]));
    const s = r.families[0]!.samples;
    expect(s[0]!.stale).toBe(true);
    expect(s[0]!.value).toBeNaN();
    expect(s[1]!.stale).toBeUndefined();
  });
});

describe('DeltaAccumulator', () => {
  it('accumulates delta sums into cumulative ones, or drops them', () => {
    const acc = new DeltaAccumulator('accumulate');
    const mk = (v: number) => md([{ name: 'c', type: 'sum', isMonotonic: true, aggregationTemporality: 1, dataPoints: [{ attributes: { k: 'v' }, startTimeUnixNano: T0, timeUnixNano: T0 + 1n, value: v }] }]);
    const a = mk(2), b = mk(3);
    acc.apply(a);
    acc.apply(b);
    const m = b.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
    expect(m.type === 'sum' && m.aggregationTemporality).toBe(2);
    expect(m.type === 'sum' && m.dataPoints[0]!.value).toBe(5);
    expect(new DeltaAccumulator('drop').apply(mk(1))).toBe(1);
  });
});

describe('text writer', () => {
  it('writes the 0.0.4 text format and OpenMetrics', () => {
    const r = translateMetrics(md([cpuTime()]), { ...defaultTranslateOptions, targetInfo: false, scopeLabels: false });
    const t = writeText(r.families, { openMetrics: false, timestamps: false });
    expect(t).toContain('# TYPE system_cpu_time_seconds_total counter\n');
    expect(t).toContain('system_cpu_time_seconds_total{cpu="cpu0",instance="h1",job="telemd",state="user"} 12.5\n');
    const om = writeText(r.families, { openMetrics: true, timestamps: true });
    expect(om).toContain('# TYPE system_cpu_time_seconds counter\n# UNIT system_cpu_time_seconds seconds\n');
    expect(om).toContain('system_cpu_time_seconds_total{cpu="cpu0",instance="h1",job="telemd",state="user"} 12.5 1700000000.000\n');
    expect(om.endsWith('# EOF\n')).toBe(true);
  });
});

describe('goFloat', () => {
  it('formats like Go strconv.FormatFloat(v, g, -1, 64)', async () => {
    const { goFloat } = await import('../../src/prometheus/floatfmt.js');
    expect([0, 0.005, 0.25, 1, 2.5, 100000, 1e6, 1234567, 1e-5, 0.0001, Infinity, -Infinity].map(goFloat)).toEqual([
      '0', '0.005', '0.25', '1', '2.5', '100000', '1e+06', '1.234567e+06', '1e-05', '0.0001', '+Inf', '-Inf',
    ]);
  });
});
