import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { factory } from '../../receivers/prometheus/index.js';
import { PrometheusReceiver } from '../../receivers/prometheus/receiver.js';
import { ParseContext } from '../../src/config/schema.js';
import { ConsumerError } from '../../src/component/consumer.js';
import type { MetricsData, Metric } from '../../src/pdata/types.js';
import { freePort } from '../helpers/ports.js';
import { host, settings } from './fixtures.js';

interface Target {
  addr: string;
  body: string;
  status: number;
  contentType: string;
  close(): Promise<void>;
}

async function target(body: string): Promise<Target> {
  const port = await freePort();
  const t: Target = { addr: `127.0.0.1:${port}`, body, status: 200, contentType: 'text/plain; version=0.0.4', close: async () => {} };
  const srv: Server = createServer((_req, res) => res.writeHead(t.status, { 'Content-Type': t.contentType }).end(t.body));
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  t.close = () => new Promise((r) => {
    srv.close(() => r());
    srv.closeAllConnections();
  });
  return t;
}

function config(raw: unknown) {
  const ctx = new ParseContext();
  const c = factory.config.parse(raw, ctx);
  expect(ctx.issues).toEqual([]);
  return c;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(t: Target, sc: Record<string, unknown> = {}) {
  const batches: MetricsData[] = [];
  const cfg = config({ config: { scrape_configs: [{ job_name: 'app', scrape_interval: '1h', static_configs: [{ targets: [t.addr], labels: { env: 'prod' } }], ...sc }] } });
  expect(factory.validate!(cfg)).toEqual([]);
  const set = settings('prometheus', 'receiver');
  const rec = new PrometheusReceiver(set, cfg, { consume: async (md) => void batches.push(md) });
  cleanups.push(() => t.close());
  return { rec, batches, set, scrape: () => rec.scrapers[0]!.scrapeOnce() };
}

function metrics(md: MetricsData): Map<string, Metric> {
  const out = new Map<string, Metric>();
  for (const rm of md.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
    const prev = out.get(m.name);
    if (prev && prev.type !== 'empty' && m.type !== 'empty') (prev.dataPoints as unknown[]).push(...(m.dataPoints as unknown[]));
    else out.set(m.name, structuredClone(m));
  }
  return out;
}
const points = (m: Metric | undefined) => (m && m.type !== 'empty' ? (m.dataPoints as { attributes: Record<string, unknown>; value?: unknown; flags?: number }[]) : []);

describe('prometheus receiver', () => {
  it('converts counters, gauges, histograms and summaries and adds up and scrape_* series', async () => {
    const t = await target(`# TYPE req_total counter
req_total{code="200"} 5
# TYPE temp gauge
temp 21.5
# TYPE lat histogram
lat_bucket{le="0.1"} 1
lat_bucket{le="1"} 3
lat_bucket{le="+Inf"} 4
lat_sum 2.5
lat_count 4
# TYPE q summary
q{quantile="0.5"} 1
q_sum 3
q_count 2
`);
    const { batches, scrape } = await setup(t);
    await scrape();
    const md = batches[0]!;
    expect(md.resourceMetrics[0]!.resource.attributes).toMatchObject({ 'service.name': 'app', 'service.instance.id': t.addr, 'server.address': '127.0.0.1', 'url.scheme': 'http' });
    const m = metrics(md);
    const req = m.get('req_total')!;
    expect(req.type === 'sum' && req.isMonotonic && req.aggregationTemporality).toBe(2);
    expect(points(req)[0]).toMatchObject({ attributes: { code: '200', env: 'prod' }, value: 5 });
    expect(m.get('temp')!.type).toBe('gauge');
    const lat = m.get('lat')!;
    expect(lat.type === 'histogram' && lat.dataPoints[0]).toMatchObject({ count: 4, sum: 2.5, bucketCounts: [1, 2, 1], explicitBounds: [0.1, 1] });
    const q = m.get('q')!;
    expect(q.type === 'summary' && q.dataPoints[0]).toMatchObject({ count: 2, sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }] });
    expect(points(m.get('up'))[0]).toMatchObject({ value: 1, attributes: { env: 'prod' } });
    expect(points(m.get('scrape_samples_scraped'))[0]!.value).toBe(10);
    expect(points(m.get('scrape_duration_seconds'))[0]!.value).toBeGreaterThanOrEqual(0);
  });

  it('renames clashing labels to exported_* unless honor_labels', async () => {
    const body = 'x{job="inner",env="dev",a="1"} 1\n';
    const a = await setup(await target(body));
    await a.scrape();
    expect(points(metrics(a.batches[0]!).get('x'))[0]!.attributes).toEqual({ a: '1', env: 'prod', exported_job: 'inner', exported_env: 'dev' });
    const b = await setup(await target(body), { honor_labels: true });
    await b.scrape();
    const md = b.batches[0]!;
    expect(points(metrics(md).get('x'))[0]!.attributes).toEqual({ a: '1', env: 'dev' });
    expect(md.resourceMetrics[0]!.resource.attributes['service.name']).toBe('inner');
  });

  it('applies metric_relabel_configs keep, drop and replace', async () => {
    const t = await target('keep_me{a="x-1"} 1\nkeep_me{a="drop"} 2\nother 3\n');
    const { batches, scrape } = await setup(t, {
      metric_relabel_configs: [
        { source_labels: ['__name__'], regex: 'keep_.*', action: 'keep' },
        { source_labels: ['a'], regex: 'drop', action: 'drop' },
        { source_labels: ['a'], regex: '(\\w)-(\\d)', target_label: 'b', replacement: '$2$1' },
      ],
    });
    await scrape();
    const m = metrics(batches[0]!);
    expect(m.has('other')).toBe(false);
    expect(points(m.get('keep_me'))).toHaveLength(1);
    expect(points(m.get('keep_me'))[0]!.attributes).toMatchObject({ a: 'x-1', b: '1x' });
    expect(points(m.get('scrape_samples_post_metric_relabeling'))[0]!.value).toBe(1);
  });

  it('marks vanished series stale, and everything stale with up=0 when the target fails or sends garbage', async () => {
    const t = await target('a 1\nb 2\n');
    const { batches, scrape, set } = await setup(t);
    await scrape();
    t.body = 'a 1\n';
    await scrape();
    let m = metrics(batches[1]!);
    expect(points(m.get('b'))[0]!.flags).toBe(1);
    expect(points(m.get('a'))[0]!.flags).toBeUndefined();
    t.body = 'a{ 1\n';
    await scrape();
    m = metrics(batches[2]!);
    expect(points(m.get('a'))[0]!.flags).toBe(1);
    expect(points(m.get('up'))[0]!.value).toBe(0);
    expect(m.has('b')).toBe(false);
    t.status = 500;
    t.body = 'a 1\n';
    await scrape();
    expect(points(metrics(batches[3]!).get('up'))[0]!.value).toBe(0);
    t.status = 200;
    await scrape();
    expect(points(metrics(batches[4]!).get('up'))[0]!.value).toBe(1);
    expect(set.registry.renderPrometheus()).toMatch(/telemd_receiver_prometheus_failed_scrapes_total\{[^}]*\} 2/);
  });

  it('keeps a counter start time until the counter resets', async () => {
    const t = await target('# TYPE c counter\nc_total 5\n');
    const { batches, scrape } = await setup(t);
    await scrape();
    await new Promise((r) => setTimeout(r, 5));
    t.body = '# TYPE c counter\nc_total 7\n';
    await scrape();
    await new Promise((r) => setTimeout(r, 5));
    t.body = '# TYPE c counter\nc_total 1\n';
    await scrape();
    const st = batches.map((b) => {
      const c = metrics(b).get('c_total')!;
      return c.type === 'sum' ? c.dataPoints[0]!.startTimeUnixNano : 0n;
    });
    expect(st[0]).toBe(st[1]);
    expect(st[2]).toBeGreaterThan(st[1]!);
  });

  it('scrapes on its interval and keeps going when downstream refuses', async () => {
    const t = await target('a 1\n');
    const cfg = config({ config: { scrape_configs: [{ job_name: 'j', scrape_interval: '200ms', static_configs: [{ targets: [t.addr] }] }] } });
    const set = settings('prometheus', 'receiver');
    let n = 0;
    const rec = factory.create(set, cfg, { metrics: { consume: async () => { n++; throw ConsumerError.retryable('full'); } } });
    cleanups.push(() => t.close());
    await rec.start(host);
    await new Promise((r) => setTimeout(r, 700));
    await rec.shutdown();
    // (accepted/refused items are counted by the core around the receiver's consumer)
    expect(n).toBeGreaterThanOrEqual(3);
  });

  it('validates scrape configs', () => {
    const cfg = config({ config: { scrape_configs: [
      { job_name: 'a', scrape_interval: '1s', scrape_timeout: '2s', static_configs: [{ targets: ['http://x:1'] }], metric_relabel_configs: [{ regex: '(' }] },
      { job_name: 'a' },
    ] } });
    const errs = factory.validate!(cfg);
    expect(errs.join('\n')).toMatch(/duplicate job_name/);
    expect(errs.join('\n')).toMatch(/scrape_timeout is longer/);
    expect(errs.join('\n')).toMatch(/must be host:port/);
    expect(errs.join('\n')).toMatch(/regex/);
  });
});

describe('prometheus receiver <- prometheus exporter (OpenMetrics round trip)', () => {
  it('reads back counters and histograms served as OpenMetrics', async () => {
    const { factory: expFactory } = await import('../../exporters/prometheus/index.js');
    const { cpuTime, md, T0 } = await import('./fixtures.js');
    const port = await freePort();
    const ctx = new ParseContext();
    const exp = expFactory.create(settings(), expFactory.config.parse({ endpoint: `127.0.0.1:${port}`, enable_open_metrics: true }, ctx), ['metrics']);
    await exp.start(host);
    cleanups.push(() => exp.shutdown());
    await exp.consumers.metrics!.consume(md([
      cpuTime(T0, 3, 4),
      { name: 'rpc.duration', unit: 's', type: 'histogram', aggregationTemporality: 2, dataPoints: [{ attributes: { m: 'get' }, startTimeUnixNano: T0, timeUnixNano: T0, count: 6, sum: 3.5, bucketCounts: [1, 2, 3], explicitBounds: [0.1, 1] }] },
    ]));
    const batches: MetricsData[] = [];
    const cfg = config({ config: { scrape_configs: [{ job_name: 'self', honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${port}`] }] }] } });
    const rec = new PrometheusReceiver(settings('prometheus', 'receiver'), cfg, { consume: async (d) => void batches.push(d) });
    await rec.scrapers[0]!.scrapeOnce();
    const m = metrics(batches[0]!);
    expect(points(m.get('up'))[0]!.value).toBe(1);
    const cpu = m.get('system_cpu_time_seconds_total')!;
    expect(cpu.type === 'sum' && cpu.isMonotonic).toBe(true);
    expect(points(cpu).map((p) => [p.attributes.state, p.value])).toEqual([['user', 3], ['idle', 4]]);
    const h = m.get('rpc_duration_seconds')!;
    expect(h.type === 'histogram' && h.dataPoints[0]).toMatchObject({ count: 6, sum: 3.5, bucketCounts: [1, 2, 3], explicitBounds: [0.1, 1], attributes: { m: 'get' } });
    // honor_labels keeps the exporter's job label: the resource is the original service.
    expect(batches[0]!.resourceMetrics[0]!.resource.attributes['service.name']).toBe('telemd');
  });
});
