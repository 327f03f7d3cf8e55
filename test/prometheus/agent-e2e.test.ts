// The real telemd process: hostmetrics and an OTLP histogram from the official OpenTelemetry JS
// SDK go through remote-write into Debian's Prometheus, and the same data scraped by that
// Prometheus from telemd's prometheus exporter gives identical series names and labels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { startAgent, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { havePrometheus, startPrometheus, type RealPrometheus } from './helpers/real.js';
import { waitForValue } from '../helpers/wait.js';

// The spawned agent and Prometheus both need a few intervals: 30 s to show up.
const until = <T>(fn: () => Promise<T | undefined>) => waitForValue(fn, 30_000);

describe.skipIf(!havePrometheus)('telemd -> Prometheus (spawned agent)', () => {
  let prom: RealPrometheus;
  let agent: Agent;
  let otlpPort: number;
  let scrapePort: number;

  beforeAll(async () => {
    scrapePort = await freePort();
    otlpPort = await freePort();
    prom = await startPrometheus({
      scrapeConfigs: `  - job_name: telemd\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:${scrapePort}']\n        labels: { path: scrape }\n`,
    });
    agent = await startAgent({
      config: `
receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers: { cpu: , memory: }
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
processors:
  batch: { timeout: 200ms }
  resource:
    attributes:
      - { key: service.name, value: telemd-it, action: upsert }
      - { key: service.instance.id, value: host-a, action: upsert }
exporters:
  prometheusremotewrite:
    endpoint: ${prom.writeUrl}
    external_labels: { path: rw }
    retry_on_failure: { initial_interval: 200ms, max_interval: 1s }
  prometheus:
    endpoint: 127.0.0.1:${scrapePort}
service:
  pipelines:
    metrics:
      receivers: [hostmetrics, otlp]
      processors: [resource, batch]
      exporters: [prometheusremotewrite, prometheus]
`,
    });
  });
  afterAll(async () => {
    const code = await agent?.stop();
    await prom?.stop();
    expect(code).toBe(0);
  });

  it('hostmetrics arrive by remote-write with job, instance and scope labels', async () => {
    const r = await until(async () => {
      const x = await prom.query('system_cpu_time_seconds_total{path="rw",state="user"}');
      return x.length ? x : undefined;
    });
    expect(r[0]!.metric).toMatchObject({ job: 'telemd-it', instance: 'host-a', state: 'user' });
    expect(r[0]!.metric.otel_scope_name).toBeTruthy();
    expect(Number(r[0]!.value[1])).toBeGreaterThan(0);
    const mem = await until(async () => {
      const x = await prom.query('system_memory_usage_bytes{path="rw"}');
      return x.length ? x : undefined;
    });
    expect(mem.map((m) => m.metric.state)).toContain('used');
  });

  it('an OTLP histogram from the OpenTelemetry SDK arrives with the right buckets, sum and count', async () => {
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop', 'deployment.environment': 'it' }),
      readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `http://127.0.0.1:${otlpPort}/v1/metrics` }), exportIntervalMillis: 60_000 })],
    });
    const h = provider.getMeter('checkout', '2.1').createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1, 5] } });
    for (const v of [0.05, 0.3, 2]) h.record(v, { 'http.route': '/pay' });
    await provider.forceFlush();
    await provider.shutdown();
    const b = await until(async () => {
      const x = await prom.query('http_server_request_duration_seconds_bucket{path="rw"}');
      return x.length >= 4 ? x : undefined;
    });
    expect(Object.fromEntries(b.map((x) => [x.metric.le, x.value[1]]))).toEqual({ '0.1': '1', '1': '2', '5': '3', '+Inf': '3' });
    expect(b[0]!.metric).toMatchObject({ http_route: '/pay', otel_scope_name: 'checkout', otel_scope_version: '2.1', job: 'telemd-it', instance: 'host-a' });
    expect(Number((await prom.query('http_server_request_duration_seconds_sum{path="rw"}'))[0]!.value[1])).toBeCloseTo(2.35, 10);
    expect((await prom.query('http_server_request_duration_seconds_count{path="rw"}'))[0]!.value[1]).toBe('3');
    // Resource attributes other than service.* go to target_info.
    const ti = await prom.query('target_info{path="rw",deployment_environment="it"}');
    expect(ti[0]!.metric).toEqual({ __name__: 'target_info', deployment_environment: 'it', job: 'telemd-it', instance: 'host-a', path: 'rw' });
  });

  it('scraping telemd gives the same series names and labels as remote-write', async () => {
    const strip = (m: Record<string, string>) => JSON.stringify(Object.entries(m).filter(([k]) => k !== 'path').sort());
    for (const n of ['system_cpu_time_seconds_total', 'system_memory_usage_bytes', 'http_server_request_duration_seconds_bucket', 'target_info']) {
      const viaScrape = await until(async () => {
        const x = await prom.query(`${n}{path="scrape"}`);
        return x.length ? x : undefined;
      });
      const viaRw = await prom.query(`${n}{path="rw"}`);
      expect(viaScrape.map((r) => strip(r.metric)).sort()).toEqual(viaRw.map((r) => strip(r.metric)).sort());
    }
  });
});
