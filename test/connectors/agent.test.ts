// A Collector-shaped config with forward, count and routing runs in the real telemd process; the
// official OpenTelemetry SDK exporters are the clients. Their success means telemd acknowledged,
// which it does only once every pipeline behind the connectors wrote the data.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../src/otlp/index.js';
import type { MetricsData, SumMetric, TracesData } from '../../src/pdata/types.js';
import { tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { otlpReceiver } from '../helpers/otlp-receiver.js';
import { makeLogs, makeSpans, sdk } from '../otlp/sdk-data.js';

const startAgent = agentsKilledAfterEach();

function lines<T>(path: string, signal: 'traces' | 'logs' | 'metrics'): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => decodeJson(signal, l) as T);
}

describe('connectors in the real agent', () => {
  it('runs a Collector config with forward, count and routing unchanged', async () => {
    const out = tempDir();
    const { grpc, http, yaml } = await otlpReceiver();
    await startAgent({
      config: `${yaml}
processors:
  batch:
    timeout: 20ms
exporters:
  file/traces: { path: ${out}/traces.jsonl, flush_interval: 20ms }
  file/sdk: { path: ${out}/sdk.jsonl, flush_interval: 20ms }
  file/other: { path: ${out}/other.jsonl, flush_interval: 20ms }
  file/counts: { path: ${out}/counts.jsonl, flush_interval: 20ms }
connectors:
  forward:
  count:
    logs:
      my.warn.log.count:
        description: Warn+ logs.
        conditions:
          - 'severity_number >= SEVERITY_NUMBER_WARN'
  routing:
    default_pipelines: [traces/other]
    table:
      - statement: route() where attributes["service.name"] == "sdk-test"
        pipelines: [traces/sdk]
service:
  pipelines:
    traces/in:
      receivers: [otlp]
      exporters: [forward]
    traces:
      receivers: [forward]
      processors: [batch]
      exporters: [file/traces, count, routing]
    traces/sdk:
      receivers: [routing]
      exporters: [file/sdk]
    traces/other:
      receivers: [routing]
      exporters: [file/other]
    logs:
      receivers: [otlp]
      exporters: [count]
    metrics/counts:
      receivers: [count]
      exporters: [file/counts]
`,
    });
    const spans = makeSpans();
    const logs = makeLogs();
    const te = new OTLPTraceExporter({ url: `http://127.0.0.1:${grpc}` });
    const le = new OTLPLogExporter({ url: `http://127.0.0.1:${http}/v1/logs` });
    await sdk.send(te, spans);
    await sdk.send(le, logs);
    await Promise.all([te.shutdown(), le.shutdown()]);

    const names = (f: string) => lines<TracesData>(join(out, f), 'traces').flatMap((t) => t.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name))));
    expect(names('traces.jsonl').sort()).toEqual(spans.map((s) => s.name).sort());
    // Routed by the resource's service.name: all to traces/sdk, none to the default.
    expect(names('sdk.jsonl').sort()).toEqual(spans.map((s) => s.name).sort());
    expect(names('other.jsonl')).toEqual([]);

    const counts = new Map<string, bigint>();
    for (const md of lines<MetricsData>(join(out, 'counts.jsonl'), 'metrics'))
      for (const rm of md.resourceMetrics)
        for (const sm of rm.scopeMetrics)
          for (const m of sm.metrics as SumMetric[]) for (const p of m.dataPoints) counts.set(m.name, (counts.get(m.name) ?? 0n) + BigInt(p.value));
    expect(counts.get('trace.span.count')).toBe(BigInt(spans.length));
    expect(counts.get('trace.span.event.count')).toBe(BigInt(spans.reduce((n, s) => n + s.events.length, 0)));
    expect(counts.get('my.warn.log.count')).toBe(BigInt(logs.length));
    expect(counts.has('log.record.count')).toBe(false); // a configured section replaces its default
  });
});
