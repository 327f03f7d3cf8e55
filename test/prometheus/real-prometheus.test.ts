// telemd's exporters against Debian's real Prometheus server: remote-write in, scrape from the
// prometheus exporter, stale markers. Skips only when the prometheus binary is absent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factory as rwFactory } from '../../exporters/prometheusremotewrite/index.js';
import { RemoteWriteExporter } from '../../exporters/prometheusremotewrite/exporter.js';
import { factory as promFactory } from '../../exporters/prometheus/index.js';
import { factory as recFactory } from '../../receivers/prometheus/index.js';
import { createServer } from 'node:http';
import { ParseContext } from '../../src/config/schema.js';
import type { Exporter } from '../../src/component/component.js';
import type { Metric } from '../../src/pdata/types.js';
import { freePort } from '../helpers/ports.js';
import { cpuTime, host, md, settings } from './fixtures.js';
import { havePrometheus, startPrometheus, type RealPrometheus } from './helpers/real.js';
import { waitForValue as until } from '../helpers/wait.js';

const parse = <C>(f: { config: { parse(v: unknown, c: ParseContext): C } }, raw: unknown): C => {
  const ctx = new ParseContext();
  const c = f.config.parse(raw, ctx);
  if (ctx.issues.length) throw new Error(JSON.stringify(ctx.issues));
  return c;
};

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const resource = { 'service.name': 'telemd', 'service.instance.id': 'host-1', 'host.name': 'h1' };

function histogram(ts: bigint): Metric {
  return {
    name: 'http.server.request.duration', unit: 's', type: 'histogram', aggregationTemporality: 2,
    dataPoints: [{ attributes: { 'http.route': '/a' }, startTimeUnixNano: ts - 10_000_000_000n, timeUnixNano: ts, count: 10, sum: 2.5, bucketCounts: [4, 5, 1], explicitBounds: [0.1, 0.5] }],
  };
}

describe.skipIf(!havePrometheus)('against a real Prometheus', () => {
  let prom: RealPrometheus;
  let rw: RemoteWriteExporter;
  let scrape: Exporter;
  let clock = Date.now();

  beforeAll(async () => {
    const port = await freePort();
    prom = await startPrometheus({
      scrapeConfigs: `  - job_name: telemd\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n        labels: { path: scrape }\n`,
    });
    rw = new RemoteWriteExporter(
      settings('prometheusremotewrite'),
      parse(rwFactory, { endpoint: prom.writeUrl, external_labels: { path: 'rw' }, retry_on_failure: { initial_interval: '100ms' }, stale_markers: { min_after: '0s' } }),
      undefined,
      () => clock,
    );
    await rw.start(host);
    // OpenMetrics on: Prometheus asks for it, so its own OpenMetrics parser checks our output.
    scrape = promFactory.create(settings(), parse(promFactory, { endpoint: `127.0.0.1:${port}`, enable_open_metrics: true }), ['metrics']);
    await scrape.start(host);
  });
  afterAll(async () => {
    await rw?.shutdown();
    await scrape?.shutdown();
    await prom?.stop();
  });

  it('remote-written counters and histograms are queryable with the expected names, labels and values', async () => {
    const ts = nowNs();
    await rw.consumers.metrics!.consume(md([cpuTime(ts, 12.5, 100), histogram(ts)], resource));
    const cpu = await prom.query('system_cpu_time_seconds_total{path="rw"}');
    expect(cpu.map((r) => r.metric).sort((a, b) => a.state!.localeCompare(b.state!))).toEqual([
      { __name__: 'system_cpu_time_seconds_total', cpu: 'cpu0', state: 'idle', job: 'telemd', instance: 'host-1', otel_scope_name: 'test', otel_scope_version: '1.0', path: 'rw' },
      { __name__: 'system_cpu_time_seconds_total', cpu: 'cpu0', state: 'user', job: 'telemd', instance: 'host-1', otel_scope_name: 'test', otel_scope_version: '1.0', path: 'rw' },
    ]);
    expect(cpu.find((r) => r.metric.state === 'user')!.value[1]).toBe('12.5');
    const buckets = await prom.query('http_server_request_duration_seconds_bucket{path="rw"}');
    expect(Object.fromEntries(buckets.map((b) => [b.metric.le, b.value[1]]))).toEqual({ '0.1': '4', '0.5': '9', '+Inf': '10' });
    expect((await prom.query('http_server_request_duration_seconds_sum{path="rw"}'))[0]!.value[1]).toBe('2.5');
    expect((await prom.query('http_server_request_duration_seconds_count{path="rw"}'))[0]!.value[1]).toBe('10');
    const q = await prom.query('histogram_quantile(0.5, http_server_request_duration_seconds_bucket{path="rw"})');
    expect(Number(q[0]!.value[1])).toBeGreaterThan(0.1);
    const ti = await prom.query('target_info{path="rw"}');
    expect(ti[0]!.metric).toEqual({ __name__: 'target_info', host_name: 'h1', job: 'telemd', instance: 'host-1', path: 'rw' });
  });

  it('scraping the prometheus exporter gives the same series names and labels as remote-write', async () => {
    const ts = nowNs();
    await scrape.consumers.metrics!.consume(md([cpuTime(ts, 12.5, 100), histogram(ts)], resource));
    const names = ['system_cpu_time_seconds_total', 'http_server_request_duration_seconds_bucket', 'http_server_request_duration_seconds_sum', 'http_server_request_duration_seconds_count', 'target_info'];
    for (const n of names) {
      const viaScrape = await until(async () => {
        const r = await prom.query(`${n}{path="scrape"}`);
        return r.length ? r : undefined;
      });
      const viaRw = await prom.query(`${n}{path="rw"}`);
      const strip = (m: Record<string, string>) => JSON.stringify(Object.entries(m).filter(([k]) => k !== 'path').sort());
      expect(viaScrape.map((r) => strip(r.metric)).sort()).toEqual(viaRw.map((r) => strip(r.metric)).sort());
      expect(viaScrape.map((r) => r.value[1]).sort()).toEqual(viaRw.map((r) => r.value[1]).sort());
    }
  });

  it('a series that stops gets a stale marker and vanishes from instant queries', async () => {
    const mk = (ts: bigint, user: boolean) => {
      const m = cpuTime(ts, 20, 200);
      if (m.type === 'sum') {
        for (const p of m.dataPoints) p.attributes = { ...p.attributes, cpu: 'cpu9' };
        if (!user) m.dataPoints = [m.dataPoints[1]!];
      }
      return md([m], resource);
    };
    clock = Date.now();
    await rw.consumers.metrics!.consume(mk(nowNs(), true));
    clock += 1000;
    await new Promise((r) => setTimeout(r, 1000));
    await rw.consumers.metrics!.consume(mk(nowNs(), true));
    clock += 1000;
    await new Promise((r) => setTimeout(r, 1000));
    await rw.consumers.metrics!.consume(mk(nowNs(), false));
    expect(await prom.query('system_cpu_time_seconds_total{path="rw",cpu="cpu9",state="user"}')).toHaveLength(1);
    clock += 1500;
    await new Promise((r) => setTimeout(r, 1500));
    await rw.flushStale();
    expect(await prom.query('system_cpu_time_seconds_total{path="rw",cpu="cpu9",state="user"}')).toHaveLength(0);
    expect(await prom.query('system_cpu_time_seconds_total{path="rw",cpu="cpu9",state="idle"}')).toHaveLength(1);
  });

  it('a series that vanishes from a scraped target is marked stale in Prometheus via the receiver', async () => {
    let body = 'vanishing_gauge{k="a"} 1\nvanishing_gauge{k="b"} 2\n';
    const port = await freePort();
    const srv = createServer((_q, res) => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body));
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    // The exporter's own staleness tracking is off: the marker must come from the receiver.
    const rw2 = rwFactory.create(settings('prometheusremotewrite/b'), parse(rwFactory, { endpoint: prom.writeUrl, stale_markers: { enabled: false } }), ['metrics']);
    await rw2.start(host);
    const rec = recFactory.create(
      settings('prometheus', 'receiver'),
      parse(recFactory, { config: { scrape_configs: [{ job_name: 'van', scrape_interval: '500ms', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }] } }),
      { metrics: rw2.consumers.metrics },
    );
    await rec.start(host);
    try {
      const q = (k: string) => prom.query(`vanishing_gauge{job="van",k="${k}"}`);
      await until(async () => ((await q('b')).length ? true : undefined));
      body = 'vanishing_gauge{k="a"} 1\n';
      await until(async () => ((await q('b')).length === 0 ? true : undefined), 10_000);
      expect(await q('a')).toHaveLength(1);
      expect((await prom.query('up{job="van"}'))[0]!.value[1]).toBe('1');
    } finally {
      await rec.shutdown();
      await rw2.shutdown();
      srv.close();
      srv.closeAllConnections();
    }
  });

  it("with protobuf_message v2, Debian's 1.x Prometheus still gets the data (fallback to 1.0)", async () => {
    const set = settings('prometheusremotewrite/v2');
    const v2 = rwFactory.create(set, parse(rwFactory, { endpoint: prom.writeUrl, protobuf_message: 'io.prometheus.write.v2.Request', sending_queue: { num_consumers: 1 } }), ['metrics']);
    await v2.start(host);
    try {
      const probe: Metric = { name: 'rw2.probe', type: 'gauge', dataPoints: [{ attributes: { k: 'v' }, startTimeUnixNano: 0n, timeUnixNano: nowNs(), value: 42 }] };
      await v2.consumers.metrics!.consume(md([probe], resource));
      const r = await prom.query('rw2_probe{k="v"}');
      expect(r.map((x) => x.value[1])).toEqual(['42']);
    } finally {
      await v2.shutdown();
    }
  });
});
