// The label cache is only a shortcut: with it, translation gives exactly the labels it gives
// without, on first sight and on every later hit, for every shape of input.
import { describe, expect, it } from 'vitest';
import { translateMetrics, defaultTranslateOptions, LabelCache, type TranslateOptions } from '../../src/prometheus/index.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { cpuTime, md, T0 } from './fixtures.js';

const gauge = (name: string, attrs: Record<string, unknown>, v: number) => ({
  name, unit: '1', type: 'gauge' as const, dataPoints: [{ attributes: attrs as never, startTimeUnixNano: 0n, timeUnixNano: T0, value: v }],
});

function inputs(): MetricsData[] {
  const procs: MetricsData = {
    resourceMetrics: [1, 2, 3].map((pid) => ({
      resource: { attributes: { 'process.pid': BigInt(pid), 'process.executable.name': 'sleep', 'service.name': 'svc' } },
      scopeMetrics: [{ scope: { name: 'telemd/receiver/hostmetrics/process' }, metrics: [cpuTime(T0, pid, 1)] }],
    })),
  };
  return [
    md([cpuTime()]),
    md([cpuTime()], { 'service.name': 'api', 'service.namespace': 'shop', 'service.instance.id': 'i-1', 'host.name': 'h' }),
    procs,
    // attribute order differs, sanitizing collisions, empty values, separators inside values
    md([gauge('g', { b: 'x', a: 'y' }, 1), gauge('g', { a: 'y', b: 'x' }, 2), gauge('g', { 'a.b': '1', a_b: '2' }, 3), gauge('g', { e: '' }, 4), gauge('g', { s: 'a\u0000b' }, 5), gauge('g', { s: 'a\u0001b' }, 6)]),
    { resourceMetrics: [{ resource: { attributes: {} }, scopeMetrics: [{ scope: { name: 's', version: '2', attributes: { 'lib.x': 'y' } }, metrics: [gauge('h', { n: 1, t: true, z: null }, 7)] }] }] },
  ];
}

const labelsOf = (d: MetricsData, o: TranslateOptions) =>
  translateMetrics(d, o).families.map((f) => ({ name: f.name, samples: f.samples.map((s) => ({ labels: s.labels, value: s.value })) }));

describe('label cache', () => {
  for (const variant of [
    {},
    { resourceToTelemetry: true },
    { extraLabels: { env: 'prod', job: 'ignored-when-set' } },
    { scopeLabels: false, targetInfo: false },
  ]) {
    it(`gives the labels translation gives without it (${JSON.stringify(variant)})`, () => {
      const plain: TranslateOptions = { ...defaultTranslateOptions, ...variant };
      const cache = new LabelCache();
      const withCache: TranslateOptions = { ...plain, labelCache: cache };
      for (const d of inputs()) {
        const want = labelsOf(d, plain);
        expect(labelsOf(d, withCache)).toEqual(want); // first sight
        expect(labelsOf(d, withCache)).toEqual(want); // cache hits
      }
      expect(cache.size).toBeGreaterThan(0);
    });
  }

  it('keeps processes apart by their resource attributes only when those are labels', () => {
    const d = inputs()[2]!;
    const cache = new LabelCache();
    const fam = (o: TranslateOptions) => translateMetrics(d, { ...o, labelCache: cache }).families.find((f) => f.name === 'system_cpu_time_seconds_total')!;
    const on = fam({ ...defaultTranslateOptions, resourceToTelemetry: true });
    expect(new Set(on.samples.map((s) => s.key)).size).toBe(6);
    const off = fam({ ...defaultTranslateOptions, resourceToTelemetry: false });
    expect(new Set(off.samples.map((s) => s.key)).size).toBe(2);
  });
});
