// The transform processor as the Collector documents it: context inference from path prefixes,
// groups with error_mode and conditions, cache, the metric functions, refusals with file:line:col.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/transform/index.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { formatConfigError } from '../../src/config/sources.js';
import type { HistogramMetric, Metric, SumMetric, SummaryMetric } from '../../src/pdata/types.js';
import { factories } from '../../src/registry.js';
import { ROOT, tempDir } from '../helpers/agent.js';
import { CONVERTERS } from '../../src/processorhelper/ottl/converters.js';
import { EDITORS } from '../../src/processorhelper/ottl/editors.js';
import { REFUSED } from '../../src/processorhelper/ottl/refused.js';
import { METRIC_FUNCTIONS } from '../../processors/transform/metric-functions.js';
import { allLogs, allMetrics, gauge, log, logs, make, metricValue, metrics, parseConfig, point } from './helpers.js';

const sum = (name: string, pts = [point(1n)], t = 2): SumMetric => ({ type: 'sum', name, aggregationTemporality: t, isMonotonic: true, dataPoints: pts });
const hist = (name: string): HistogramMetric => ({
  type: 'histogram', name, aggregationTemporality: 2, description: 'd', unit: 's',
  dataPoints: [{ attributes: { a: 'x' }, startTimeUnixNano: 1n, timeUnixNano: 2n, count: 3, sum: 4.5, bucketCounts: [1, 2], explicitBounds: [1] }],
});
const summary = (name: string): SummaryMetric => ({
  type: 'summary', name, unit: 'ms',
  dataPoints: [{ attributes: { a: 'x' }, startTimeUnixNano: 1n, timeUnixNano: 2n, count: 5, sum: 10, quantileValues: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 9 }] }],
});

async function runMetrics(statements: unknown[], ms: Metric[]): Promise<Metric[]> {
  const { p, sink } = await make(factory, { metric_statements: statements }, 'metrics');
  await p.consume(metrics(ms, { 'host.name': 'h' }));
  return allMetrics(sink.batches);
}

describe('transform: context inference and groups', () => {
  it('the basic style runs prefixed statements in the lowest context named (the Collector README example)', async () => {
    const out = await runMetrics(
      [
        'set(metric.description, "Sum") where metric.type == METRIC_DATA_TYPE_SUM',
        'convert_sum_to_gauge() where metric.name == "system.processes.count"',
        'convert_gauge_to_sum("cumulative", false) where metric.name == "prometheus_metric"',
      ],
      [sum('system.processes.count'), gauge('prometheus_metric', [point(1)]), sum('other')],
    );
    expect(out.map((m) => [m.name, m.type, m.description])).toEqual([
      ['system.processes.count', 'gauge', 'Sum'],
      ['prometheus_metric', 'sum', undefined],
      ['other', 'sum', 'Sum'],
    ]);
    const s = out[1] as SumMetric;
    expect([s.aggregationTemporality, s.isMonotonic, s.dataPoints.length]).toEqual([2, false, 1]);
  });

  it('datapoint paths make a datapoint group; metric functions beside them are refused as in the Collector', async () => {
    const out = await runMetrics(['set(metric.description, "passed") where datapoint.attributes["test"] == "pass"'], [gauge('g', [point(1, { test: 'pass' })]), gauge('h', [point(1)])]);
    expect(out.map((m) => m.description)).toEqual(['passed', undefined]);
    expect(() => parseConfig(factory, { metric_statements: [{ statements: ['convert_sum_to_gauge() where metric.name == "x"', 'limit(datapoint.attributes, 100, ["host.name"])'] }] })).toThrow(
      /cannot infer the context: the paths \(metric, datapoint\) and the functions used \(convert_sum_to_gauge\) need different contexts/,
    );
    // In the basic style, the same two statements run each in its own context (older configs mix them).
    const out2 = await runMetrics(['convert_sum_to_gauge() where metric.name == "x"', 'limit(datapoint.attributes, 1, ["keep"])'], [sum('x', [point(1n, { a: 'y', keep: 'z' })])]);
    expect(out2[0]!.type === 'gauge' && out2[0]!.dataPoints[0]!.attributes).toEqual({ keep: 'z' });
  });

  it('unprefixed paths mean the item (older configs), resource.attributes stays the resource', async () => {
    const { p, sink } = await make(factory, { log_statements: ['set(attributes["svc"], resource.attributes["service.name"])', 'set(log.attributes["n"], Len(body))'] }, 'logs');
    await p.consume(logs([log('abc')], { 'service.name': 'api' }));
    expect(allLogs(sink.batches)[0]!.attributes).toEqual({ svc: 'api', n: 3n });
  });

  it('cache is one map per item shared by the statements of its group', async () => {
    const { p, sink } = await make(
      factory,
      {
        log_statements: [
          {
            context: 'log',
            statements: ['set(cache, ParseJSON(body)) where IsMatch(body, "^\\\\{")', 'flatten(cache)', 'merge_maps(attributes, cache, "upsert")', 'set(attributes["seen"], cache["a.b"])'],
          },
        ],
      },
      'logs',
    );
    await p.consume(logs([log('{"a": {"b": 1}}'), log('plain')]));
    const recs = allLogs(sink.batches);
    expect(recs[0]!.attributes).toEqual({ 'a.b': 1, seen: 1 });
    expect(recs[1]!.attributes).toEqual({});
  });

  it('error_mode: ignore goes on with the next statement (counted), propagate refuses the batch, per group', async () => {
    const { p, sink, set } = await make(
      factory,
      { error_mode: 'ignore', log_statements: ['set(attributes["p"], ParseJSON(body))', 'set(attributes["after"], true)'] },
      'logs',
    );
    await p.consume(logs([log('not json'), log('{"ok": 1}')]));
    expect(allLogs(sink.batches).map((l) => l.attributes)).toEqual([{ after: true }, { p: { ok: 1 }, after: true }]);
    expect(metricValue(set, 'telemd_processor_ottl_errors_total', { error_mode: 'ignore' })).toBe(1);
    const strict = await make(factory, { error_mode: 'ignore', log_statements: [{ error_mode: 'propagate', statements: ['set(attributes["p"], ParseJSON(body))'] }] }, 'logs');
    await expect(strict.p.consume(logs([log('not json')]))).rejects.toThrow(/ParseJSON: not JSON/);
    expect(strict.sink.batches).toEqual([]);
    // Without error_mode: propagate, the Collector's default.
    const plain = await make(factory, { log_statements: ['set(attributes["p"], ParseJSON(body))'] }, 'logs');
    await expect(plain.p.consume(logs([log('not json')]))).rejects.toThrow(/ParseJSON: not JSON/);
  });
});

describe('transform: metric functions', () => {
  it('extract_sum_metric / extract_count_metric add metrics that later statements see', async () => {
    const out = await runMetrics(
      [{ context: 'metric', statements: ['extract_sum_metric(true) where metric.name == "lat"', 'extract_count_metric(false, ".count") where metric.name == "lat"', 'set(metric.unit, "1") where metric.name == "lat.count"'] }],
      [hist('lat')],
    );
    expect(out.map((m) => m.name)).toEqual(['lat', 'lat_sum', 'lat.count']);
    const s = out[1] as SumMetric;
    expect([s.isMonotonic, s.aggregationTemporality, s.description, s.unit, s.dataPoints[0]!.value, s.dataPoints[0]!.attributes]).toEqual([true, 2, 'd', undefined, 4.5, { a: 'x' }]);
    expect((out[2] as SumMetric).dataPoints[0]!.value).toBe(3n);
    expect(out[2]!.unit).toBe('1');
  });

  it('summary conversions, copy_metric, scale_metric', async () => {
    const out = await runMetrics(
      [
        'convert_summary_count_val_to_sum("delta", true) where metric.name == "rt"',
        'convert_summary_sum_val_to_sum("cumulative", false, ".total") where metric.name == "rt"',
        'convert_summary_quantile_val_to_gauge() where metric.name == "rt"',
        'copy_metric(name = "g.copy", desc = "copied") where metric.name == "g"',
        'scale_metric(1000.0, "ms") where metric.name == "g.copy"',
      ],
      [summary('rt'), gauge('g', [point(1.5), point(2n)])],
    );
    expect(out.map((m) => m.name)).toEqual(['rt', 'g', 'rt_count', 'rt.total', 'rt.quantiles', 'g.copy']);
    const byName = Object.fromEntries(out.map((m) => [m.name, m]));
    expect((byName.rt_count as SumMetric).aggregationTemporality).toBe(1);
    expect((byName.rt_count as SumMetric).dataPoints[0]!.value).toBe(5n);
    expect((byName['rt.total'] as SumMetric).dataPoints[0]!.value).toBe(10);
    const q = byName['rt.quantiles']!;
    expect(q.type === 'gauge' && q.dataPoints.map((d) => [d.attributes.quantile, d.value])).toEqual([[0.5, 2], [0.99, 9]]);
    expect(q.unit).toBe('ms');
    const c = byName['g.copy']!;
    expect([c.description, c.unit, c.type === 'gauge' && c.dataPoints.map((d) => d.value)]).toEqual(['copied', 'ms', [1500, 2000n]]);
    expect((byName.g as { dataPoints: { value: unknown }[] }).dataPoints.map((d) => d.value)).toEqual([1.5, 2n]);
  });

  it('aggregate_on_attributes and aggregate_on_attribute_value', async () => {
    const pts = () => [point(1n, { cpu: '0', state: 'user' }), point(2n, { cpu: '1', state: 'user' }), point(4n, { cpu: '0', state: 'idle' })];
    const out = await runMetrics(['aggregate_on_attributes("sum", ["state"]) where metric.name == "a"', 'aggregate_on_attribute_value("max", "state", ["user", "idle"], "any") where metric.name == "b"'], [
      sum('a', pts()),
      sum('b', pts()),
    ]);
    const a = out[0] as SumMetric;
    expect(a.dataPoints.map((d) => [d.attributes, d.value])).toEqual([[{ state: 'user' }, 3n], [{ state: 'idle' }, 4n]]);
    const b = out[1] as SumMetric;
    expect(b.dataPoints.map((d) => [d.attributes, d.value])).toEqual([[{ cpu: '0', state: 'any' }, 4n], [{ cpu: '1', state: 'any' }, 2n]]);
    expect(() => parseConfig(factory, { metric_statements: ['aggregate_on_attributes("avg")'] })).toThrow(/must be sum, max, min, mean, median or count/);
  });
});

describe('transform: refusals carry their position', () => {
  it('validate prints file:line:col of the statement and the column inside it', () => {
    const dir = tempDir('telemd-transform-');
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      [
        'receivers: {nop: {}}',
        'exporters: {nop: {}}',
        'processors:',
        '  transform:',
        '    log_statements:',
        '      - set(log.attributes["a"], "b")',
        '      - set(log.attributes["x"], UserAgent(log.body))',
        '      - statements:',
        '          - set(log.attributes["y"], Lenn(log.body))',
        'service:',
        '  pipelines:',
        '    logs: {receivers: [nop], processors: [transform], exporters: [nop]}',
        '',
      ].join('\n'),
    );
    const errors = resolveConfig({ files: [file], env: {}, factories }).errors.map(formatConfigError);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/c\.yaml:7:9: processor "transform": log_statements\.1: UserAgent\(\) is not supported by telemd: .*; use ExtractPatterns on the user agent string \(at column 26\)/);
    expect(errors[1]).toMatch(/c\.yaml:9:13: .*unknown converter Lenn\(\); did you mean "Len"\? \(at column 26\)/);
  });
});

describe('transform README', () => {
  it('lists every function telemd has and every one it refuses', () => {
    const readme = readFileSync(join(ROOT, 'processors', 'transform', 'README.md'), 'utf8');
    const [supported, refused] = readme.split('## Refused');
    for (const f of [...CONVERTERS, ...EDITORS, ...METRIC_FUNCTIONS]) expect(supported, f.name).toMatch(new RegExp(`\`${f.name}[(\`]`));
    for (const name of Object.keys(REFUSED).filter((n) => n !== 'route')) expect(refused, name).toContain(`\`${name}\``);
  });
});
