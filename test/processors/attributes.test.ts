import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/attributes/index.js';
import { factory as resourceFactory } from '../../processors/resource/index.js';
import { allLogs, allMetrics, allSpans, gauge, log, logs, make, metrics, parseConfig, point, span, traces } from './helpers.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('attributes processor', () => {
  const actions = [
    { key: 'env', action: 'insert', value: 'prod' },
    { key: 'region', action: 'insert', value: 'never' },
    { key: 'region', action: 'update', value: 'eu-west' },
    { key: 'absent', action: 'update', value: 'x' },
    { key: 'copy', action: 'upsert', from_attribute: 'user' },
    { key: 'user', action: 'hash' },
    { key: 'secret', action: 'delete' },
    { pattern: '^tmp\\.', action: 'delete' },
    { key: 'url', action: 'extract', pattern: '^(?<scheme>\\w+)://(?<host>[^/]+)/' },
    { key: 'code', action: 'convert', converted_type: 'int' },
    { key: 'ratio', action: 'convert', converted_type: 'double' },
    { key: 'n', action: 'convert', converted_type: 'string' },
  ];
  const input = () => ({
    region: 'us', user: 'alice', secret: 's3cr3t', 'tmp.a': 1n, 'tmp.b': 2n, url: 'https://example.com/x', code: '404', ratio: '0.5', n: 7n,
  });
  const expected = {
    env: 'prod', region: 'eu-west', copy: 'alice', user: sha256('alice'), url: 'https://example.com/x', scheme: 'https',
    host: 'example.com', code: 404n, ratio: 0.5, n: '7',
  };

  it('applies every action to log records', async () => {
    const { p, sink } = await make(factory, { actions }, 'logs');
    await p.consume(logs([log('a', input())]));
    expect(allLogs(sink.batches)[0]!.attributes).toEqual(expected);
  });

  it('applies to spans and data points too', async () => {
    const t = await make(factory, { actions }, 'traces');
    await t.p.consume(traces([span('s', undefined, input())]));
    expect(allSpans(t.sink.batches)[0]!.attributes).toEqual(expected);
    const m = await make(factory, { actions }, 'metrics');
    await m.p.consume(metrics([gauge('g', [point(1, input())])]));
    const g = allMetrics(m.sink.batches)[0]!;
    expect(g.type === 'gauge' && g.dataPoints[0]!.attributes).toEqual(expected);
  });

  it('hashes ints, doubles and bools like the Collector (little-endian bytes)', async () => {
    const { p, sink } = await make(factory, { actions: [{ pattern: '.*', action: 'hash' }] }, 'logs');
    await p.consume(logs([log('a', { i: 5n, d: 1.5, b: true })]));
    const i = Buffer.alloc(8);
    i.writeBigInt64LE(5n);
    const d = Buffer.alloc(8);
    d.writeDoubleLE(1.5);
    expect(allLogs(sink.batches)[0]!.attributes).toEqual({ i: sha256(i), d: sha256(d), b: sha256(Buffer.from([1])) });
  });

  it('include/exclude select which items are changed', async () => {
    const { p, sink } = await make(
      factory,
      {
        actions: [{ key: 'tagged', action: 'insert', value: true }],
        include: { match_type: 'regexp', span_names: ['^GET '] },
        exclude: { match_type: 'strict', attributes: [{ key: 'skip', value: 'yes' }] },
      },
      'traces',
    );
    await p.consume(traces([span('GET /a'), span('POST /b'), span('GET /c', undefined, { skip: 'yes' })]));
    expect(allSpans(sink.batches).map((s) => s.attributes.tagged ?? false)).toEqual([true, false, false]);
  });

  it('leaves values alone when a conversion is impossible', async () => {
    const { p, sink } = await make(factory, { actions: [{ key: 'code', action: 'convert', converted_type: 'int' }] }, 'logs');
    await p.consume(logs([log('a', { code: 'not a number' })]));
    expect(allLogs(sink.batches)[0]!.attributes.code).toBe('not a number');
  });

  it('reports config mistakes clearly', () => {
    expect(() => parseConfig(factory, { actions: [{ key: 'a', action: 'insert' }] })).toThrow(/exactly one of "value" or "from_attribute"/);
    expect(() => parseConfig(factory, { actions: [{ key: 'a', action: 'extract', pattern: '(\\d+)' }] })).toThrow(/named group/);
    expect(() => parseConfig(factory, { actions: [{ key: 'a', action: 'upsrt', value: 1 }] })).toThrow(/did you mean "upsert"/);
    expect(() => parseConfig(factory, { actions: [{ action: 'delete', pattern: '(' }] })).toThrow(/invalid pattern/);
    expect(() => parseConfig(factory, { actions: [{ key: 'a', action: 'convert' }] })).toThrow(/converted_type/);
    expect(() => parseConfig(factory, { actions: [] })).toThrow(/at least one/);
  });
});

describe('resource processor', () => {
  it('changes resource attributes of every signal with the Collector `attributes` key', async () => {
    const cfg = {
      attributes: [
        { key: 'deployment.environment', action: 'upsert', value: 'staging' },
        { key: 'host.ip', action: 'delete' },
        { key: 'cloud.account.id', action: 'hash' },
      ],
    };
    const l = await make(resourceFactory, cfg, 'logs');
    await l.p.consume(logs([log('x')], { 'host.ip': '10.0.0.1', 'cloud.account.id': '1234', 'service.name': 'api' }));
    expect(l.sink.batches[0]!.resourceLogs[0]!.resource.attributes).toEqual({
      'deployment.environment': 'staging', 'cloud.account.id': sha256('1234'), 'service.name': 'api',
    });
    const t = await make(resourceFactory, cfg, 'traces');
    await t.p.consume(traces([span('s')], { 'host.ip': '1' }));
    expect(t.sink.batches[0]!.resourceSpans[0]!.resource.attributes).toEqual({ 'deployment.environment': 'staging' });
    const m = await make(resourceFactory, cfg, 'metrics');
    await m.p.consume(metrics([gauge('g', [point(1)])]));
    expect(m.sink.batches[0]!.resourceMetrics[0]!.resource.attributes).toEqual({ 'deployment.environment': 'staging' });
  });
});
