import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/filter/index.js';
import type { Metric } from '../../src/pdata/types.js';
import { allLogs, allMetrics, allSpans, gauge, log, logs, make, metricValue, metrics, parseConfig, point, span, traces } from './helpers.js';

const sum = (name: string, values: number[]): Metric => ({
  type: 'sum', name, aggregationTemporality: 2, isMonotonic: true, dataPoints: values.map((v, i) => point(v, { i: BigInt(i) })),
});

describe('filter metrics', () => {
  it('legacy include strict keeps only the named metrics and counts the dropped points', async () => {
    const { p, sink, set } = await make(factory, { metrics: { include: { match_type: 'strict', metric_names: ['keep'] } } }, 'metrics');
    await p.consume(metrics([sum('keep', [1, 2]), sum('drop', [1, 2, 3])]));
    expect(allMetrics(sink.batches).map((m) => m.name)).toEqual(['keep']);
    expect(metricValue(set, 'telemd_processor_dropped_items_total', { signal: 'metrics' })).toBe(3);
  });

  it('legacy exclude regexp with resource attributes', async () => {
    const { p, sink } = await make(
      factory,
      { metrics: { exclude: { match_type: 'regexp', metric_names: ['^system\\.'], resource_attributes: [{ key: 'host.name', value: '^db-' }] } } },
      'metrics',
    );
    await p.consume(metrics([sum('system.cpu', [1]), sum('app.req', [1])], { 'host.name': 'db-1' }));
    await p.consume(metrics([sum('system.cpu', [1])], { 'host.name': 'web-1' }));
    expect(allMetrics(sink.batches).map((m) => m.name)).toEqual(['app.req', 'system.cpu']);
  });

  it('datapoint conditions with numeric comparisons and metric conditions', async () => {
    const { p, sink } = await make(
      factory,
      { metrics: { datapoint: ['value_double > 10.5', 'attributes["state"] == "idle"'], metric: ['name == "noise" or IsMatch(name, "^debug\\\\.")'] } },
      'metrics',
    );
    await p.consume(
      metrics([
        gauge('g', [point(5), point(11), point(3, { state: 'idle' }), point(20n)]),
        gauge('noise', [point(1)]),
        gauge('debug.x', [point(1)]),
        gauge('all.big', [point(100)]),
      ]),
    );
    const out = allMetrics(sink.batches);
    expect(out.map((m) => m.name)).toEqual(['g']);
    const g = out[0]!;
    // 20n is an int: value_double is nil for it, so it stays.
    expect(g.type === 'gauge' && g.dataPoints.map((d) => d.value)).toEqual([5, 20n]);
  });
});

describe('filter logs', () => {
  it('drops by severity, body, record and resource attributes', async () => {
    const { p, sink, set } = await make(
      factory,
      {
        logs: {
          include: { match_type: 'strict', severity_number: { min: 'WARN', match_undefined: true } },
          exclude: { match_type: 'regexp', bodies: ['healthcheck'], record_attributes: [{ key: 'path' }] },
        },
      },
      'logs',
    );
    await p.consume(
      logs([
        log('debug noise', {}, { severityNumber: 5 }),
        log('warning', {}, { severityNumber: 13 }),
        log('GET /healthcheck', { path: '/h' }, { severityNumber: 17 }),
        log('GET /healthcheck no attr', {}, { severityNumber: 17 }),
        log('unset severity', {}, { severityNumber: 0 }),
      ]),
    );
    expect(allLogs(sink.batches).map((l) => l.body)).toEqual(['warning', 'GET /healthcheck no attr', 'unset severity']);
    expect(metricValue(set, 'telemd_processor_dropped_items_total', { signal: 'logs' })).toBe(2);
  });

  it('log_record conditions', async () => {
    const { p, sink } = await make(
      factory,
      { logs: { log_record: ['severity_number < SEVERITY_NUMBER_INFO', 'resource.attributes["service.name"] == "chatty" and not IsMatch(body, "ERROR")'] } },
      'logs',
    );
    await p.consume(logs([log('a', {}, { severityNumber: 5 }), log('b'), log('c ERROR')], { 'service.name': 'chatty' }));
    await p.consume(logs([log('d')], { 'service.name': 'quiet' }));
    expect(allLogs(sink.batches).map((l) => l.body)).toEqual(['c ERROR', 'd']);
  });
});

describe('filter traces', () => {
  it('drops spans by service, name, kind and conditions; span events by condition', async () => {
    const { p, sink } = await make(
      factory,
      {
        spans: { exclude: { match_type: 'strict', services: ['noisy'], span_names: ['ping'] } },
        traces: { span: ['attributes["http.status_code"] >= 500 and kind == SPAN_KIND_CLIENT'], spanevent: ['name == "debug"'] },
      },
      'traces',
    );
    const withEvents = span('work', undefined, {}, {
      events: [{ name: 'debug', timeUnixNano: 1n, attributes: {} }, { name: 'exception', timeUnixNano: 2n, attributes: {} }],
    });
    await p.consume(traces([span('ping'), span('pong'), withEvents, span('call', undefined, { 'http.status_code': 503n }, { kind: 3 })], { 'service.name': 'noisy' }));
    await p.consume(traces([span('ping')], { 'service.name': 'quiet' }));
    const out = allSpans(sink.batches);
    expect(out.map((s) => s.name)).toEqual(['pong', 'work', 'ping']);
    expect(out[1]!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('passes everything when nothing is configured for the signal', async () => {
    const { p, sink } = await make(factory, { logs: { log_record: ['true'] } }, 'traces');
    await p.consume(traces([span('a')]));
    expect(allSpans(sink.batches)).toHaveLength(1);
  });
});

describe('filter config errors', () => {
  it('names the bad condition and the reason', () => {
    expect(() => parseConfig(factory, { logs: { log_record: ['attributes["a"] = 1'] } })).toThrow(/logs\.log_record\[0\]: unexpected "="/);
    expect(() => parseConfig(factory, { logs: { log_record: ['Frobnicate(body)'] } })).toThrow(/unknown converter Frobnicate\(\)/);
    expect(() => parseConfig(factory, { metrics: { datapoint: ['severity_text == "x"'] } })).toThrow(/unknown path "severity_text" in datapoint context/);
    expect(() => parseConfig(factory, { metrics: { include: { match_type: 'strict', span_names: ['x'] } } })).toThrow(/not supported for metrics/);
    expect(() => parseConfig(factory, { metrics: { include: { match_type: 'regexp', metric_names: ['('] } } })).toThrow(/invalid regexp/);
    expect(() => parseConfig(factory, { logs: { include: { match_type: 'strict', severity_number: { min: 'LOUD' } } } })).toThrow(/unknown severity/);
  });
});

describe('processor failures', () => {
  it('a batch the processor cannot handle is refused permanently and counted, and the next one passes', async () => {
    const { p, sink, set } = await make(factory, { logs: { log_record: ['IsMatch(body, "x")'] } }, 'logs');
    const broken = log('a');
    // A record whose body cannot be read, as a buggy receiver might produce.
    Object.defineProperty(broken, 'body', { get: () => { throw new Error('boom'); } });
    await expect(p.consume(logs([log('ok'), broken]))).rejects.toMatchObject({ kind: 'permanent', message: expect.stringMatching(/filter: boom/) });
    const bad = logs([log('a')]);
    (bad.resourceLogs[0]!.scopeLogs[0] as { logRecords: unknown }).logRecords = undefined;
    await expect(p.consume(bad)).rejects.toMatchObject({ kind: 'permanent' });
    await p.consume(logs([log('b')]));
    expect(allLogs(sink.batches).map((l) => l.body)).toEqual(['b']);
    expect(metricValue(set, 'telemd_processor_refused_items_total', { signal: 'logs' })).toBe(2);
  });
});

describe('filter conditions that fail on an item', () => {
  it('propagate (default) refuses the batch; ignore keeps the item; both counted', async () => {
    const strict = await make(factory, { logs: { log_record: ['Len(attributes["n"]) > 1'] } }, 'logs');
    await expect(strict.p.consume(logs([log('a', { n: 5n })]))).rejects.toThrow(/Len: expected a string, slice or map, got int/);
    const lax = await make(factory, { error_mode: 'ignore', logs: { log_record: ['Len(attributes["n"]) > 1', 'log.attributes["drop"] == true'] } }, 'logs');
    await lax.p.consume(logs([log('a', { n: 5n }), log('b', { n: 'xyz' }), log('c', { drop: true })]));
    expect(allLogs(lax.sink.batches).map((l) => l.body)).toEqual(['a']);
    expect(metricValue(lax.set, 'telemd_processor_ottl_errors_total', { error_mode: 'ignore' })).toBe(2);
  });
});
