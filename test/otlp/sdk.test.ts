// The official OpenTelemetry JS SDK exporters (gRPC, HTTP/JSON, HTTP/protobuf) send to the otlp
// receiver; every field the SDK produced must arrive.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TraceHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsHttp } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsHttp } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { ParseContext } from '../../src/config/schema.js';
import { factory as receiver } from '../../receivers/otlp/index.js';
import type { LogsData, MetricsData, TracesData } from '../../src/pdata/types.js';
import { freePort } from '../helpers/ports.js';
import { host, settings, Sink } from './helpers.js';
import { checkLogs, checkMetrics, checkSpans, makeLogs, makeMetrics, makeSpans, sdk } from './sdk-data.js';

const transports = ['grpc', 'http/json', 'http/protobuf'] as const;

describe('official OpenTelemetry SDK exporters -> otlp receiver', () => {
  const sink = new Sink();
  let rx: ReturnType<typeof receiver.create>;
  let grpcUrl = '';
  let httpUrl = '';
  beforeAll(async () => {
    const [g, h] = [await freePort(), await freePort()];
    const ctx = new ParseContext();
    const cfg = receiver.config.parse({ protocols: { grpc: { endpoint: `127.0.0.1:${g}` }, http: { endpoint: `127.0.0.1:${h}` } } }, ctx);
    rx = receiver.create(settings('otlp', 'receiver'), cfg, sink.consumers);
    await rx.start(host);
    grpcUrl = `http://127.0.0.1:${g}`;
    httpUrl = `http://127.0.0.1:${h}`;
  });
  afterAll(async () => {
    await rx.shutdown();
  });

  it.each(transports)('spans over %s keep every field', async (t) => {
    const spans = makeSpans();
    const exp = t === 'grpc' ? new TraceGrpc({ url: grpcUrl }) : t === 'http/json' ? new TraceHttp({ url: `${httpUrl}/v1/traces` }) : new TraceProto({ url: `${httpUrl}/v1/traces` });
    const before = sink.got.traces.length;
    await sdk.send(exp, spans);
    await exp.shutdown();
    checkSpans(spans, sink.got.traces.slice(before) as TracesData[]);
  });

  it.each(transports)('logs over %s keep bodies of every AnyValue kind', async (t) => {
    const logs = makeLogs();
    const exp = t === 'grpc' ? new LogsGrpc({ url: grpcUrl }) : t === 'http/json' ? new LogsHttp({ url: `${httpUrl}/v1/logs` }) : new LogsProto({ url: `${httpUrl}/v1/logs` });
    const before = sink.got.logs.length;
    await sdk.send(exp, logs);
    await exp.shutdown();
    checkLogs(logs, sink.got.logs.slice(before) as LogsData[]);
  });

  it.each(transports)('metrics over %s keep sums, gauges and histogram buckets', async (t) => {
    const rm = await makeMetrics();
    const exp = t === 'grpc' ? new MetricsGrpc({ url: grpcUrl }) : t === 'http/json' ? new MetricsHttp({ url: `${httpUrl}/v1/metrics` }) : new MetricsProto({ url: `${httpUrl}/v1/metrics` });
    const before = sink.got.metrics.length;
    await sdk.send(exp, rm);
    await exp.shutdown();
    checkMetrics(rm, sink.got.metrics.slice(before) as MetricsData[]);
  });
});
