import { afterEach, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { factory } from '../../exporters/prometheus/index.js';
import { ParseContext } from '../../src/config/schema.js';
import type { Exporter } from '../../src/component/component.js';
import { freePort } from '../helpers/ports.js';
import { cpuTime, host, md, settings, T0 } from './fixtures.js';


function config(raw: Record<string, unknown>) {
  const ctx = new ParseContext();
  const cfg = factory.config.parse(raw, ctx);
  return { cfg, issues: ctx.issues };
}

let exp: Exporter | undefined;
afterEach(async () => {
  await exp?.shutdown();
  exp = undefined;
});

async function start(raw: Record<string, unknown> = {}) {
  const port = await freePort();
  const { cfg, issues } = config({ endpoint: `127.0.0.1:${port}`, ...raw });
  expect(issues).toEqual([]);
  const set = settings();
  exp = factory.create(set, cfg, ['metrics']);
  await exp.start(host);
  return { port, set, url: `http://127.0.0.1:${port}/metrics` };
}

describe('prometheus exporter', () => {
  it('has Collector defaults and rejects unknown keys with a suggestion', () => {
    const { cfg } = config({});
    expect(cfg.endpoint).toBe('127.0.0.1:9464');
    expect(cfg.metric_expiration).toBe(300_000);
    expect(cfg.send_timestamps).toBe(false);
    const bad = config({ namespase: 'x' });
    expect(bad.issues[0]!.message).toMatch(/did you mean "namespace"/);
    expect(factory.validate!(config({ endpoint: 'nope' }).cfg)).toHaveLength(1);
  });

  it('serves system_cpu_time_seconds_total and self-metrics count the points', async () => {
    const { url, set } = await start({ const_labels: { env: 'test' } });
    await exp!.consumers.metrics!.consume(md([cpuTime(T0, 1, 2)]));
    await exp!.consumers.metrics!.consume(md([cpuTime(T0 + 10_000_000_000n, 3, 4)]));
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    expect(body).toContain('# TYPE system_cpu_time_seconds_total counter');
    expect(body).toContain(
      'system_cpu_time_seconds_total{cpu="cpu0",env="test",instance="h1",job="telemd",otel_scope_name="test",otel_scope_version="1.0",state="user"} 3\n',
    );
    expect(body).toContain('target_info{env="test",host_name="h1",instance="h1",job="telemd"} 1');
    expect(body.match(/system_cpu_time_seconds_total\{/g)).toHaveLength(2);
    expect(set.registry.renderPrometheus()).toMatch(/telemd_exporter_sent_items_total\{[^}]*signal="metrics"[^}]*\} 4/);
  });

  it('serves OpenMetrics on request, gzip when accepted, 404 elsewhere', async () => {
    const { url, port } = await start({ enable_open_metrics: true, send_timestamps: true });
    const many = cpuTime();
    if (many.type === 'sum')
      for (let i = 0; i < 50; i++) many.dataPoints.push({ attributes: { cpu: `cpu${i}`, state: 'x' }, startTimeUnixNano: T0, timeUnixNano: T0, value: i });
    await exp!.consumers.metrics!.consume(md([many]));
    const om = await fetch(url, { headers: { Accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
    const t = await om.text();
    expect(t).toContain('# TYPE system_cpu_time_seconds counter');
    expect(t).toContain(' 1700000000.000\n');
    expect(t.endsWith('# EOF\n')).toBe(true);
    const gz = await new Promise<Buffer>((resolve, reject) => {
      request({ port, path: '/metrics', headers: { 'Accept-Encoding': 'gzip' } }, (r) => {
        expect(r.headers['content-encoding']).toBe('gzip');
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject).end();
    });
    expect(gunzipSync(gz).toString()).toContain('system_cpu_time_seconds_total{cpu="cpu49"');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it('refuses (and counts) a metric that changes type, so the exposition stays parsable', async () => {
    const { url, set } = await start();
    await exp!.consumers.metrics!.consume(md([{ name: 'x', type: 'gauge', dataPoints: [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: T0, value: 1 }] }]));
    await exp!.consumers.metrics!.consume(md([{ name: 'x', type: 'summary', dataPoints: [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: T0, count: 1, sum: 1, quantileValues: [] }] }]));
    const body = await (await fetch(url)).text();
    expect(body.match(/# TYPE x /g)).toEqual(['# TYPE x ']);
    expect(body).not.toContain('x_sum');
    expect(set.registry.renderPrometheus()).toMatch(/telemd_exporter_dropped_items_total\{[^}]*\} 1\n/);
  });

  it('forgets stale and expired series', async () => {
    const { url } = await start({ metric_expiration: '1s' });
    const m = cpuTime();
    await exp!.consumers.metrics!.consume(md([m]));
    const gone = cpuTime();
    if (gone.type === 'sum') gone.dataPoints = [{ ...gone.dataPoints[0]!, flags: 1 }];
    await exp!.consumers.metrics!.consume(md([gone]));
    let body = await (await fetch(url)).text();
    expect(body).not.toContain('state="user"');
    expect(body).toContain('state="idle"');
    await new Promise((r) => setTimeout(r, 1100));
    body = await (await fetch(url)).text();
    expect(body).not.toContain('system_cpu_time');
  });

  it('fails to start with a clear error when the port is taken', async () => {
    const { port } = await start();
    const { cfg } = config({ endpoint: `127.0.0.1:${port}` });
    const second = factory.create(settings(), cfg, ['metrics']);
    await expect(second.start(host)).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+ \(exporters::.*::endpoint\): the address is already in use/);
  });
});
