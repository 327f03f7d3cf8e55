import { createHmac } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../../src/component/consumer.js';
import { ParseContext } from '../../src/config/schema.js';
import type { LogsData, MetricsData, Signal, SignalData, TracesData } from '../../src/pdata/types.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { factory } from '../../processors/anonymization/index.js';
import type { Config } from '../../processors/anonymization/config.js';

function parse(raw: unknown): { cfg: Config; issues: string[] } {
  const ctx = new ParseContext();
  const cfg = factory.config.parse(raw, ctx);
  return { cfg, issues: [...ctx.issues.map((i) => `${i.path.join('.')}: ${i.message}`), ...(factory.validate?.(cfg) ?? []).map(String)] };
}

function make<S extends Signal>(signal: S, raw: unknown = {}) {
  const { cfg, issues } = parse(raw);
  expect(issues).toEqual([]);
  const registry = new MetricRegistry();
  const out: SignalData[S][] = [];
  const set = {
    id: { type: 'anonymization', name: '', id: 'anonymization' },
    kind: 'processor' as const,
    logger: pino({ level: 'silent' }),
    telemetry: new SelfTelemetry(registry, { processor: 'anonymization' }),
  };
  const p = factory.create(set, cfg, signal, { consume: async (d) => void out.push(d) });
  return { p, out, registry };
}

function logs(body: LogsData['resourceLogs'][0]['scopeLogs'][0]['logRecords'][0]['body'], attributes = {}, resource = {}): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: { 'service.name': 'shop', ...resource } },
        scopeLogs: [{ scope: { name: 's', attributes: { 'owner.email': 'ops@example.com' } }, logRecords: [{ timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: 9, body, attributes }] }],
      },
    ],
  };
}
const rec = (d: LogsData) => d.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;

describe('anonymization processor', () => {
  it('masks log bodies, nested attributes, resource and scope attributes', async () => {
    const { p, out } = make('logs');
    const d = logs('login jane@example.com from 203.0.113.9', {
      user: { email: 'jane@example.com', phones: ['+14155552671', 'n/a'] },
      count: 3n,
    }, { 'host.ip': '10.1.2.3' });
    await p.consume(d);
    const r = rec(out[0]!);
    expect(r.body).toBe('login *** from ***');
    expect(r.attributes).toEqual({ user: { email: '***', phones: ['***', 'n/a'] }, count: 3n });
    expect(out[0]!.resourceLogs[0]!.resource.attributes).toEqual({ 'service.name': 'shop', 'host.ip': '***' });
    expect(out[0]!.resourceLogs[0]!.scopeLogs[0]!.scope.attributes).toEqual({ 'owner.email': '***' });
  });

  it('scans structured bodies and numbers that hold card numbers', async () => {
    const { p, out } = make('logs');
    await p.consume(logs({ msg: 'paid', card: 4111111111111111n, amount: 12.5, n: 1234567890123 }));
    expect(rec(out[0]!).body).toEqual({ msg: 'paid', card: '***', amount: 12.5, n: 1234567890123 });
  });

  it('hash: HMAC-SHA256 under the key, stable, and different under another key', async () => {
    const cfgFor = (key: string) => ({ hash_key: key, detectors: { email: { action: 'hash' } } });
    const a = make('logs', cfgFor('k1'));
    const b = make('logs', cfgFor('k2'));
    await a.p.consume(logs('u=jane@example.com'));
    await a.p.consume(logs('again jane@example.com'));
    await b.p.consume(logs('u=jane@example.com'));
    const expected = createHmac('sha256', 'k1').update('jane@example.com').digest('hex').slice(0, 16);
    expect(rec(a.out[0]!).body).toBe(`u=${expected}`);
    expect(rec(a.out[1]!).body).toBe(`again ${expected}`);
    expect(rec(b.out[0]!).body).not.toBe(`u=${expected}`);
  });

  it('hash key from an environment variable; missing variable is a clear config error', async () => {
    process.env.TEST_ANON_KEY = 'from-env';
    const { p, out } = make('logs', { hash_key_env: 'TEST_ANON_KEY', detectors: { ipv4: { action: 'hash' } } });
    await p.consume(logs('ip 10.0.0.1'));
    expect(rec(out[0]!).body).toBe(`ip ${createHmac('sha256', 'from-env').update('10.0.0.1').digest('hex').slice(0, 16)}`);
    delete process.env.TEST_ANON_KEY;
    expect(parse({ hash_key_env: 'TEST_ANON_KEY', detectors: { ipv4: { action: 'hash' } } }).issues).toEqual([
      'hash_key_env: environment variable TEST_ANON_KEY is not set or empty',
    ]);
    expect(parse({ detectors: { ipv4: { action: 'hash' } } }).issues).toEqual(['the hash action needs hash_key or hash_key_env']);
  });

  it('hash_key is a secret: redacted when the config is printed', () => {
    const { cfg } = parse({ hash_key: 'topsecret', detectors: { email: { action: 'hash' } } });
    expect(JSON.stringify(factory.config.redact(cfg))).not.toContain('topsecret');
  });

  it('truncate_ip keeps /24 and /48', async () => {
    const { p, out } = make('logs', { detectors: { ipv4: { action: 'truncate_ip' }, ipv6: { action: 'truncate_ip' } } });
    await p.consume(logs('a 203.0.113.77 b 2001:db8:85a3:8d3:1319:8a2e:370:7348'));
    expect(rec(out[0]!).body).toBe('a 203.0.113.0 b 2001:db8:85a3::');
  });

  it('config errors: truncate_ip on a non-IP detector, bad custom regex, unknown keys', () => {
    expect(parse({ detectors: { email: { action: 'truncate_ip' } } }).issues).toEqual([
      'detectors.email.action: truncate_ip only applies to ipv4 and ipv6',
    ]);
    expect(parse({ custom: [{ name: 'x', pattern: '(' }] }).issues[0]).toMatch(/^custom\[0\]\.pattern: /);
    expect(parse({ custom: [{ name: 'email', pattern: 'x' }] }).issues).toEqual(['custom[0].name: "email" is already used']);
    expect(parse({ detectors: { emial: {} } }).issues[0]).toMatch(/unknown key "emial"; did you mean "email"/);
  });

  it('drop: removes the attribute, or the log record when the body matches', async () => {
    const { p, out, registry } = make('logs', { detectors: { credit_card: { action: 'drop' } } });
    const d = logs('ok', { card: '4111 1111 1111 1111', keep: 'x' });
    d.resourceLogs[0]!.scopeLogs[0]!.logRecords.push({ timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: 9, body: 'paid with 4111111111111111', attributes: {} });
    await p.consume(d);
    const recs = out[0]!.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(recs).toHaveLength(1);
    expect(recs[0]!.attributes).toEqual({ keep: 'x' });
    expect(registry.renderPrometheus()).toContain('telemd_processor_dropped_items_total{processor="anonymization",signal="logs"} 1');
    // A batch whose every record is dropped is acknowledged and not forwarded.
    await p.consume(logs('card 4111111111111111'));
    expect(out).toHaveLength(1);
  });

  it('allow_keys fails closed; ignored_keys are untouched; block_keys apply at any depth', async () => {
    const { p, out } = make('logs', {
      allow_keys: ['service.name', 'http.*', 'msg'],
      ignored_keys: ['trace.note'],
      block_keys: ['password'],
      resource_attributes: true,
    });
    await p.consume(
      logs({ msg: 'x', password: 'hunter2', nested: { password: 'p' } }, {
        'http.method': 'GET',
        'http.url': 'https://bob:pw@example.com/',
        'user.name': 'bob',
        'trace.note': 'jane@example.com',
      }, { 'host.name': 'h1' }),
    );
    const r = rec(out[0]!);
    expect(r.attributes).toEqual({ 'http.method': 'GET', 'http.url': 'https://***@example.com/', 'user.name': '***', 'trace.note': 'jane@example.com' });
    expect(r.body).toEqual({ msg: 'x', password: '***', nested: { password: '***' } });
    expect(out[0]!.resourceLogs[0]!.resource.attributes).toEqual({ 'service.name': 'shop', 'host.name': '***' });
  });

  it('key_action drop deletes disallowed keys; version keys keep dotted quads', async () => {
    const { p, out } = make('logs', { block_keys: ['secret*'], key_action: 'drop' });
    await p.consume(logs('b', { secret_token: 'x', 'service.version': '10.2.0.1', 'client.address': '10.2.0.1' }));
    expect(rec(out[0]!).attributes).toEqual({ 'service.version': '10.2.0.1', 'client.address': '***' });
  });

  it('adds redaction.count and counts per detector', async () => {
    const { p, out, registry } = make('logs', { count_attribute: true });
    await p.consume(logs('a@example.com b@example.com 10.0.0.1', { ip: '10.0.0.2' }));
    expect(rec(out[0]!).attributes['redaction.count']).toBe(4n);
    const text = registry.renderPrometheus();
    expect(text).toContain('telemd_processor_redactions_total{processor="anonymization",detector="email",signal="logs"} 3'); // two in the record, one in scope attributes
    expect(text).toContain('telemd_processor_redactions_total{processor="anonymization",detector="ipv4",signal="logs"} 2');
  });

  it('custom patterns with their own action and counter', async () => {
    const { p, out, registry } = make('logs', { custom: [{ name: 'employee_id', pattern: 'emp-\\d{6}', case_insensitive: true }] });
    await p.consume(logs('badge EMP-123456 ok'));
    expect(rec(out[0]!).body).toBe('badge *** ok');
    expect(registry.renderPrometheus()).toContain('detector="employee_id",signal="logs"} 1');
  });

  it('disabled detectors do nothing', async () => {
    const { p, out } = make('logs', { detectors: { email: { enabled: false } } });
    await p.consume(logs('jane@example.com 10.0.0.1'));
    expect(rec(out[0]!).body).toBe('jane@example.com ***');
  });

  it('traces: span, event and link attributes, span names and status messages', async () => {
    const { p, out } = make('traces', { count_attribute: true });
    const d: TracesData = {
      resourceSpans: [
        {
          resource: { attributes: {} },
          scopeSpans: [
            {
              scope: { name: 's' },
              spans: [
                {
                  traceId: new Uint8Array(16), spanId: new Uint8Array(8), name: 'GET /users/jane@example.com', kind: 2,
                  startTimeUnixNano: 1n, endTimeUnixNano: 2n,
                  attributes: { 'client.address': '198.51.100.4', bytes: new Uint8Array([1, 2]) },
                  events: [{ timeUnixNano: 1n, name: 'exception', attributes: { 'exception.message': 'bad card 5555555555554444' } }],
                  links: [{ traceId: new Uint8Array(16), spanId: new Uint8Array(8), attributes: { peer: '+44 20 7946 0958' } }],
                  status: { code: 2, message: 'denied for 198.51.100.4' },
                },
              ],
            },
          ],
        },
      ],
    };
    await p.consume(d);
    const sp = out[0]!.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(sp.name).toBe('GET /users/***');
    expect(sp.status.message).toBe('denied for ***');
    expect(sp.attributes['client.address']).toBe('***');
    expect(sp.attributes.bytes).toEqual(new Uint8Array([1, 2]));
    expect(sp.events[0]!.attributes['exception.message']).toBe('bad card ***');
    expect(sp.links[0]!.attributes.peer).toBe('***');
    expect(sp.attributes['redaction.count']).toBe(5n);
  });

  it('metrics: data point and exemplar attributes', async () => {
    const { p, out } = make('metrics');
    const d: MetricsData = {
      resourceMetrics: [
        {
          resource: { attributes: {} },
          scopeMetrics: [
            {
              scope: { name: 's' },
              metrics: [
                { name: 'http.requests', type: 'sum', aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ attributes: { client: '203.0.113.5', route: '/x' }, startTimeUnixNano: 0n, timeUnixNano: 1n, value: 3n, exemplars: [{ timeUnixNano: 1n, value: 1, filteredAttributes: { user: 'a@example.com' } }] }] },
                { name: 'lat', type: 'histogram', aggregationTemporality: 2, dataPoints: [{ attributes: { user: 'a@example.com' }, startTimeUnixNano: 0n, timeUnixNano: 1n, count: 1, bucketCounts: [1], explicitBounds: [] }] },
                { name: 'empty', type: 'empty' },
              ],
            },
          ],
        },
      ],
    };
    await p.consume(d);
    const ms = out[0]!.resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    const sum = ms[0]!;
    if (sum.type !== 'sum') throw new Error('unexpected type');
    expect(sum.dataPoints[0]!.attributes).toEqual({ client: '***', route: '/x' });
    expect(sum.dataPoints[0]!.exemplars![0]!.filteredAttributes).toEqual({ user: '***' });
    const h = ms[1]!;
    if (h.type !== 'histogram') throw new Error('unexpected type');
    expect(h.dataPoints[0]!.attributes).toEqual({ user: '***' });
  });

  it('passes downstream refusals through unchanged', async () => {
    const { cfg } = parse({});
    const set = { id: { type: 'anonymization', name: '', id: 'anonymization' }, kind: 'processor' as const, logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) };
    const p = factory.create(set, cfg, 'logs', { consume: async () => { throw ConsumerError.retryable('queue full'); } });
    await expect(p.consume(logs('x'))).rejects.toMatchObject({ kind: 'retryable', message: 'queue full' });
  });

  it('never forwards a batch it failed to redact: refuses it permanently and counts it', async () => {
    const { p, out, registry } = make('logs');
    const bad = logs('x');
    // A cyclic structured body cannot be walked safely.
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    rec(bad).body = cyc as never;
    await expect(p.consume(bad)).rejects.toMatchObject({ kind: 'permanent' });
    expect(out).toHaveLength(0);
    expect(registry.renderPrometheus()).toContain('telemd_processor_refused_items_total{processor="anonymization",signal="logs"} 1');
  });
});
