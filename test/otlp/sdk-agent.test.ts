// The official SDK exporters send to a real telemd process whose file exporter writes OTLP JSON;
// the file holds every field the SDK sent.
import { describe, it } from 'vitest';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsHttp } from '@opentelemetry/exporter-metrics-otlp-http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJson } from '../../src/otlp/index.js';
import type { LogsData, MetricsData, TracesData } from '../../src/pdata/types.js';
import { tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { otlpReceiver } from '../helpers/otlp-receiver.js';
import { checkLogs, checkMetrics, checkSpans, makeLogs, makeMetrics, makeSpans, sdk } from './sdk-data.js';

const startAgent = agentsKilledAfterEach();

describe('SDK -> telemd -> file exporter', () => {

  it('writes every field the SDK sent (gRPC spans, HTTP/protobuf logs, HTTP/JSON metrics)', async () => {
    const out = tempDir();
    const { grpc: g, http: h, yaml } = await otlpReceiver();
    await startAgent({
      config: `${yaml}processors:
  batch: { timeout: 20ms }
exporters:
  file/t: { path: ${out}/traces.jsonl, flush_interval: 20ms }
  file/l: { path: ${out}/logs.jsonl, flush_interval: 20ms }
  file/m: { path: ${out}/metrics.jsonl, flush_interval: 20ms }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [file/t] }
    logs: { receivers: [otlp], processors: [batch], exporters: [file/l] }
    metrics: { receivers: [otlp], processors: [batch], exporters: [file/m] }
`,
    });
    const spans = makeSpans();
    const logs = makeLogs();
    const rm = await makeMetrics();
    const te = new TraceGrpc({ url: `http://127.0.0.1:${g}` });
    const le = new LogsProto({ url: `http://127.0.0.1:${h}/v1/logs` });
    const me = new MetricsHttp({ url: `http://127.0.0.1:${h}/v1/metrics` });
    // The SDK's success means telemd acknowledged, which it does only once the file has the data.
    await sdk.send(te, spans);
    await sdk.send(le, logs);
    await sdk.send(me, rm);
    await Promise.all([te.shutdown(), le.shutdown(), me.shutdown()]);
    const lines = (f: string) => readFileSync(join(out, f), 'utf8').split('\n').filter((l) => l.trim());
    checkSpans(spans, lines('traces.jsonl').map((l) => decodeJson('traces', l)) as TracesData[]);
    checkLogs(logs, lines('logs.jsonl').map((l) => decodeJson('logs', l)) as LogsData[]);
    checkMetrics(rm, lines('metrics.jsonl').map((l) => decodeJson('metrics', l)) as MetricsData[]);
  });
});
