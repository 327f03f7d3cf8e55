import { afterEach, describe, expect, it } from 'vitest';
import { factory } from '../../exporters/prometheusremotewrite/index.js';
import { RemoteWriteExporter } from '../../exporters/prometheusremotewrite/exporter.js';
import { parseRetryAfter } from '../../src/otlp/retry.js';
import { ParseContext } from '../../src/config/schema.js';
import { ConsumerError } from '../../src/component/consumer.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { cpuTime, host, md, settings } from './fixtures.js';
import { startFakeRw, type FakeRw } from './helpers/fake-rw.js';
import { directSender } from './helpers/direct-sender.js';

function config(raw: Record<string, unknown>) {
  const ctx = new ParseContext();
  const cfg = factory.config.parse(raw, ctx);
  expect(ctx.issues).toEqual([]);
  return cfg;
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const lbl = (ls: { name: string; value: string }[]) => Object.fromEntries(ls.map((l) => [l.name, l.value]));

let fake: FakeRw | undefined;
let exp: RemoteWriteExporter | undefined;
afterEach(async () => {
  await exp?.shutdown();
  await fake?.close();
  exp = undefined;
  fake = undefined;
});

let fakeNow = 0;
async function setup(raw: Record<string, unknown> = {}, direct = false) {
  fake = await startFakeRw();
  const set = settings('prometheusremotewrite');
  const cfg = config({
    endpoint: fake.url,
    retry_on_failure: { initial_interval: '50ms', max_interval: '200ms', randomization_factor: 0 },
    ...raw,
  });
  exp = direct ? new RemoteWriteExporter(set, cfg, directSender, () => fakeNow) : (factory.create(set, cfg, ['metrics']) as RemoteWriteExporter);
  await exp.start(host);
  return { set, fake, exp, consume: (d: MetricsData) => exp!.consumers.metrics!.consume(d) };
}

describe('prometheusremotewrite config', () => {
  it('validates the endpoint and auth', () => {
    expect(factory.validate!(config({ endpoint: 'nope' }))[0]).toMatch(/not a URL/);
    expect(factory.validate!(config({ endpoint: 'ftp://x/' }))[0]).toMatch(/http/);
    expect(factory.validate!(config({ endpoint: 'http://x/', basic_auth: { username: 'u', password: 'p' }, bearer_token: 't' }))).toHaveLength(1);
    const c = config({ endpoint: 'http://x/', headers: { 'X-Scope-OrgID': 'secret-tenant' } });
    expect(JSON.stringify(factory.config.redact(c))).not.toContain('secret-tenant');
  });
  it('parses Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('prometheusremotewrite exporter', () => {
  it('POSTs snappy protobuf with the protocol headers that user headers cannot override', async () => {
    const { fake, consume } = await setup({
      headers: { 'Content-Type': 'text/plain', 'User-Agent': 'evil', 'X-Tenant': 't1' }, bearer_token: 'tok',
      external_labels: { cluster: 'c1' }, sending_queue: { num_consumers: 1 },
    });
    await consume(md([cpuTime(nowNs())]));
    expect(fake.received).toHaveLength(1);
    const h = fake.received[0]!.headers;
    expect(h['content-encoding']).toBe('snappy');
    expect(h['content-type']).toBe('application/x-protobuf');
    expect(h['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(h['user-agent']).toMatch(/^telemd\//);
    expect(h['x-tenant']).toBe('t1');
    expect(h.authorization).toBe('Bearer tok');
    const series = fake.received[0]!.req.timeseries.map((t) => lbl(t.labels));
    expect(series).toContainEqual({ __name__: 'system_cpu_time_seconds_total', cpu: 'cpu0', state: 'user', job: 'telemd', instance: 'h1', cluster: 'c1', otel_scope_name: 'test', otel_scope_version: '1.0' });
    expect(series).toContainEqual({ __name__: 'target_info', host_name: 'h1', instance: 'h1', job: 'telemd', cluster: 'c1' });
    for (const t of fake.received[0]!.req.timeseries) expect(t.labels.map((l) => l.name)).toEqual(t.labels.map((l) => l.name).sort());
  });

  it('retries 500 and 429 (honouring Retry-After), drops 400 with the server message, never retries 2xx', async () => {
    // target_info off: the item counts below are the two cpu points of each batch.
    const { fake, consume, set } = await setup({ sending_queue: { num_consumers: 1 }, target_info: { enabled: false } });
    fake.script.push({ status: 500 }, { status: 429, retryAfter: '1' });
    const t0 = Date.now();
    await consume(md([cpuTime(nowNs())]));
    expect(fake.received.map((r) => r.status)).toEqual([500, 429, 200]);
    expect(fake.received[2]!.at - fake.received[1]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    fake.script.push({ status: 400, body: 'out of order sample' });
    const err = await consume(md([cpuTime(nowNs())])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsumerError);
    expect((err as ConsumerError).kind).toBe('permanent');
    expect((err as ConsumerError).message).toMatch(/400: out of order sample/);
    expect(fake.received).toHaveLength(4);
    await consume(md([cpuTime(nowNs())]));
    expect(fake.received).toHaveLength(5);
    const metrics = set.registry.renderPrometheus();
    expect(metrics).toMatch(/telemd_exporter_send_failed_items_total\{[^}]*\} 2\n/);
    expect(metrics).toMatch(/telemd_exporter_sent_items_total\{[^}]*\} 4\n/);
  });

  it('keeps every series in timestamp order across parallel shards and retries', async () => {
    const { fake, consume } = await setup({ sending_queue: { num_consumers: 4 } });
    // Failures in the middle must not let later samples of a series overtake earlier ones.
    fake.script.push({ status: 503 }, { status: 200 }, { status: 503 });
    const base = Date.now() - 60_000;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      const m = cpuTime(BigInt(base + i * 1000) * 1_000_000n, i, i);
      if (m.type === 'sum')
        for (let c = 1; c < 16; c++) m.dataPoints.push({ ...m.dataPoints[0]!, attributes: { cpu: `cpu${c}`, state: 'user' }, value: i });
      pending.push(consume(md([m])));
    }
    await Promise.all(pending);
    const seen = new Map<string, number[]>();
    for (const r of fake.received.filter((x) => x.status === 200))
      for (const t of r.req.timeseries) {
        const k = JSON.stringify(t.labels);
        seen.set(k, [...(seen.get(k) ?? []), ...t.samples.map((s) => s.timestampMs)]);
      }
    const cpuSeries = [...seen.entries()].filter(([k]) => k.includes('system_cpu_time'));
    expect(cpuSeries).toHaveLength(17);
    for (const [, ts] of cpuSeries) {
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
      expect(new Set(ts).size).toBe(20);
    }
  });

  it('keeps order without a queue too (sends of a shard are chained)', async () => {
    const { fake, consume } = await setup({ sending_queue: { enabled: false, num_consumers: 2 }, retry_on_failure: { enabled: false } });
    const base = Date.now() - 30_000;
    await Promise.all(Array.from({ length: 10 }, (_, i) => consume(md([cpuTime(BigInt(base + i * 1000) * 1_000_000n, i, i)]))));
    const ts = fake.received.flatMap((r) => r.req.timeseries.filter((t) => lbl(t.labels).state === 'user').flatMap((t) => t.samples.map((x) => x.timestampMs)));
    expect(ts).toEqual(Array.from({ length: 10 }, (_, i) => base + i * 1000));
  });

  it('writes target_info once per resource, in one shard, with timestamps that only move forward', async () => {
    const { fake, consume } = await setup({ sending_queue: { num_consumers: 4 } });
    const t = Date.now() - 10_000;
    const many = (ms: number) => {
      const m = cpuTime(BigInt(ms) * 1_000_000n);
      if (m.type === 'sum') for (let c = 1; c < 12; c++) m.dataPoints.push({ ...m.dataPoints[0]!, attributes: { cpu: `cpu${c}`, state: 'user' } });
      return md([m]);
    };
    await consume(many(t + 2000));
    await consume(many(t + 1000)); // a late batch: its target_info would go backwards
    await consume(many(t + 3000));
    const ti = fake.received.flatMap((r) => r.req.timeseries.filter((x) => lbl(x.labels).__name__ === 'target_info').map((x) => x.samples.map((y) => y.timestampMs)));
    expect(ti).toEqual([[t + 2000], [t + 3000]]);
  });

  it('accumulates delta sums, drops exponential histograms with a count', async () => {
    const { fake, consume, set } = await setup({}, true);
    const delta = (v: number) => md([
      { name: 'req', type: 'sum', isMonotonic: true, aggregationTemporality: 1, dataPoints: [{ attributes: {}, startTimeUnixNano: nowNs(), timeUnixNano: nowNs(), value: v }] },
      { name: 'e', type: 'exponentialHistogram', aggregationTemporality: 2, dataPoints: [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: nowNs(), count: 0, scale: 0, zeroCount: 0, positive: { offset: 0, bucketCounts: [] }, negative: { offset: 0, bucketCounts: [] } }] },
    ]);
    const first = delta(2);
    const before = structuredClone(first);
    await consume(first);
    // Exporters of a pipeline share the batch: it must come back untouched.
    expect(first).toEqual(before);
    await consume(delta(5));
    const vals = fake.received.flatMap((r) => r.req.timeseries.filter((t) => lbl(t.labels).__name__ === 'req_total').map((t) => t.samples[0]!.value));
    expect(vals).toEqual([2, 7]);
    expect(set.registry.renderPrometheus()).toMatch(/telemd_exporter_dropped_items_total\{[^}]*reason="unsupported"[^}]*\} 2/);
  });

  it('sends the staleness marker once when a series stops', async () => {
    const { fake, consume, exp } = await setup({ stale_markers: { min_after: '1s' } }, true);
    fakeNow = 1_000_000;
    await consume(md([cpuTime(nowNs())]));
    fakeNow += 10_000;
    await consume(md([cpuTime(nowNs())]));
    fakeNow += 10_000;
    const only = cpuTime(nowNs());
    if (only.type === 'sum') only.dataPoints = [only.dataPoints[1]!]; // the "user" series stops
    await consume(md([only]));
    await exp.flushStale(fakeNow + 5_000); // user silent 15 s < 2 x 10 s interval
    expect(fake.received.some((r) => r.req.timeseries.some((t) => t.samples.some((x) => x.stale)))).toBe(false);
    await exp.flushStale(fakeNow + 10_001); // user silent > 20 s, idle only 10 s
    const staleSeries = fake.received.flatMap((r) => r.req.timeseries.filter((t) => t.samples.some((x) => x.stale)).map((t) => lbl(t.labels)));
    expect(staleSeries).toEqual([expect.objectContaining({ __name__: 'system_cpu_time_seconds_total', state: 'user' })]);
    await exp.flushStale(fakeNow + 15_000);
    const n = fake.received.length;
    await exp.flushStale(fakeNow + 60_000);
    expect(fake.received.length).toBe(n + 1); // idle went stale once; user not again
    await exp.flushStale(fakeNow + 120_000);
    expect(fake.received.length).toBe(n + 1);
  });
});

describe('prometheusremotewrite over TLS', () => {
  it('verifies the server with ca_file, presents a client certificate and basic auth', async () => {
    const { makeCerts } = await import('../otlp/certs.js');
    const { createServer } = await import('node:https');
    const { readFileSync } = await import('node:fs');
    const { freePort } = await import('../helpers/ports.js');
    const c = makeCerts();
    const port = await freePort();
    const seen: { auth?: string; clientCN?: string }[] = [];
    const srv = createServer(
      { key: readFileSync(c.serverKey), cert: readFileSync(c.serverCert), ca: readFileSync(c.ca), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const sock = req.socket as import('node:tls').TLSSocket;
        seen.push({ auth: req.headers.authorization, clientCN: String(sock.getPeerCertificate().subject?.CN) });
        req.resume();
        req.on('end', () => res.writeHead(204).end());
      },
    );
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${port}/api/v1/write`;
      const good = new RemoteWriteExporter(settings(), config({ endpoint: url, tls: { ca_file: c.ca, cert_file: c.clientCert, key_file: c.clientKey }, basic_auth: { username: 'u', password: 'p@ss' }, sending_queue: { num_consumers: 1 } }), directSender);
      await good.start(host);
      await good.consumers.metrics!.consume(md([cpuTime(nowNs())]));
      await good.shutdown();
      expect(seen).toHaveLength(1);
      expect(seen[0]).toEqual({ auth: `Basic ${Buffer.from('u:p@ss').toString('base64')}`, clientCN: 'telemd-client' });
      const untrusted = new RemoteWriteExporter(settings(), config({ endpoint: url, sending_queue: { num_consumers: 1 } }), directSender);
      await untrusted.start(host);
      const err = await untrusted.consumers.metrics!.consume(md([cpuTime(nowNs())])).catch((e: unknown) => e);
      await untrusted.shutdown();
      expect((err as Error).message).toMatch(/failed: (SELF_SIGNED|UNABLE_TO|DEPTH_ZERO)/);
      expect(seen).toHaveLength(1);
    } finally {
      srv.close();
    }
  });
});

describe('Remote-Write 2.0 (opt-in)', () => {
  it('encodes symbols, label refs, samples and metadata that protobufjs decodes', async () => {
    const { encodeRequestV2, buildWriteRequests, translateMetrics } = await import('../../src/prometheus/index.js');
    const { decodeV2 } = await import('./helpers/prompb.js');
    const m = cpuTime(1_700_000_000_000n * 1_000_000n, 1.5, 2);
    const req = buildWriteRequests(translateMetrics(md([m])).families, { metadata: false, maxBytes: 1e9 }).requests[0]!;
    const d = decodeV2(encodeRequestV2(req.timeseries));
    expect(d.symbols[0]).toBe('');
    expect(new Set(d.symbols).size).toBe(d.symbols.length);
    const user = d.series.find((t) => t.labels.state === 'user')!;
    expect(user.labels).toEqual({ __name__: 'system_cpu_time_seconds_total', cpu: 'cpu0', state: 'user', job: 'telemd', instance: 'h1', otel_scope_name: 'test', otel_scope_version: '1.0' });
    expect(user.samples).toEqual([{ value: 1.5, timestamp: 1_700_000_000_000 }]);
    expect([user.type, user.unit, user.help]).toEqual(['METRIC_TYPE_COUNTER', 'seconds', 'Total seconds each logical CPU spent on each mode.']);
  });

  it('sends 2.0 to a 2.0 receiver and falls back to 1.0 on 415', async () => {
    const { fake, consume } = await setup({ protobuf_message: 'io.prometheus.write.v2.Request', sending_queue: { num_consumers: 1 } });
    await consume(md([cpuTime(nowNs())]));
    expect(fake.received[0]!.headers['content-type']).toBe('application/x-protobuf;proto=io.prometheus.write.v2.Request');
    expect(fake.received[0]!.headers['x-prometheus-remote-write-version']).toBe('2.0.0');
    expect(fake.received[0]!.v2!.series.length).toBe(3);
    fake.v2Mode = 'reject';
    await consume(md([cpuTime(nowNs())]));
    expect(fake.received.slice(1).map((r) => [r.status, r.headers['x-prometheus-remote-write-version']])).toEqual([[415, '2.0.0'], [200, '0.1.0']]);
    expect(fake.received[2]!.req.timeseries).toHaveLength(3);
    await consume(md([cpuTime(nowNs())]));
    expect(fake.received[3]!.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
  });
});
