import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/transform/index.js';
import { allLogs, allMetrics, allSpans, gauge, log, logs, make, metrics, parseConfig, point, span, traces } from './helpers.js';

describe('transform processor', () => {
  it('runs log statements with where clauses in log and resource contexts', async () => {
    const { p, sink } = await make(
      factory,
      {
        log_statements: [
          {
            context: 'log',
            statements: [
              'set(attributes["level"], severity_text)',
              'set(severity_text, "WARN") where IsMatch(body, "timeout")',
              'delete_key(attributes, "password")',
              'delete_matching_keys(attributes, "^tmp_")',
              'set(attributes["nested"]["k"], "v")',
            ],
          },
          { context: 'resource', statements: ['set(attributes["env"], "prod")', 'keep_keys(attributes, ["env", "service.name"])'] },
          'set(attributes["svc"], resource.attributes["service.name"])',
        ],
      },
      'logs',
    );
    await p.consume(logs([log('db timeout', { password: 'x', tmp_a: 1n, keep: true }), log('ok')], { 'service.name': 'api', 'host.ip': '1.2.3.4' }));
    const recs = allLogs(sink.batches);
    expect(recs[0]!.attributes).toEqual({ level: 'INFO', keep: true, nested: { k: 'v' }, svc: 'api' });
    expect(recs[0]!.severityText).toBe('WARN');
    expect(recs[1]!.severityText).toBe('INFO');
    expect(sink.batches[0]!.resourceLogs[0]!.resource.attributes).toEqual({ 'service.name': 'api', env: 'prod' });
  });

  it('runs span and datapoint statements, with group conditions', async () => {
    const t = await make(
      factory,
      { trace_statements: [{ context: 'span', conditions: ['kind == SPAN_KIND_SERVER'], statements: ['set(name, Concat(["srv", name], ":"))', 'set(status.code, STATUS_CODE_ERROR) where attributes["http.status_code"] >= 500'] }] },
      'traces',
    );
    await t.p.consume(traces([span('a', undefined, { 'http.status_code': 503n }), span('b', undefined, {}, { kind: 3 })]));
    const spans = allSpans(t.sink.batches);
    expect(spans.map((s) => s.name)).toEqual(['srv:a', 'b']);
    expect(spans[0]!.status.code).toBe(2);
    const m = await make(factory, { metric_statements: [{ context: 'datapoint', statements: ['set(attributes["big"], true) where value_double > 10', 'set(attributes["unit_of"], metric.name)'] }] }, 'metrics');
    await m.p.consume(metrics([gauge('g', [point(5), point(50)])]));
    const g = allMetrics(m.sink.batches)[0]!;
    expect(g.type === 'gauge' && g.dataPoints.map((d) => d.attributes)).toEqual([{ unit_of: 'g' }, { big: true, unit_of: 'g' }]);
  });

  it('reports unsupported editors, bad contexts and syntax errors at config time', () => {
    expect(() => parseConfig(factory, { log_statements: ['merge_mapz(attributes, body, "upsert")'] })).toThrow(/unknown editor merge_mapz\(\); did you mean "merge_maps"\?/);
    expect(() => parseConfig(factory, { log_statements: ['set(attributes["x"], ParseXML(body))'] })).toThrow(/ParseXML\(\) is not supported by telemd: XML functions are not implemented.*; use ParseJSON or ExtractPatterns \(at column 22\)/);
    expect(() => parseConfig(factory, { log_statements: [{ context: 'span', statements: ['set(name, "x")'] }] })).toThrow(/context: must be one of resource, scope, log/);
    expect(() => parseConfig(factory, { trace_statements: ['set(attributes["x"], "y" where name == "a"'] })).toThrow(/expected "\)"/);
    expect(() => parseConfig(factory, { log_statements: ['set(kind, 1)'] })).toThrow(/unknown path "kind" in log context/);
    expect(() => parseConfig(factory, { log_statements: [{ context: 'log', statements: ['set(body, "x")'], extra: 1 }] })).toThrow(/unknown key "extra"/);
  });
});
