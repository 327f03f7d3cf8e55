// telemd's hand-written codec vs @opentelemetry/otlp-transformer (latest) and the generated
// protobufjs code shipped in otlp-transformer 0.57, on the same data.
import { createRequire } from 'node:module';
import {
  JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { decodeJson, decodeProto, encodeJson, encodeProto } from '../../src/otlp/index.js';
import { countItems, type Signal, type SignalData } from '../../src/pdata/index.js';
import { sdkLogs, sdkMetrics, sdkSpans } from './data.js';

interface PbType {
  decode(b: Uint8Array): unknown;
  encode(m: unknown): { finish(): Uint8Array };
}
const require = createRequire(import.meta.url);
const root = require('otlp-transformer-057/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: Record<string, { v1: Record<string, PbType> }> } };
};
const gen: Record<Signal, PbType> = {
  metrics: root.opentelemetry.proto.collector.metrics!.v1.ExportMetricsServiceRequest!,
  logs: root.opentelemetry.proto.collector.logs!.v1.ExportLogsServiceRequest!,
  traces: root.opentelemetry.proto.collector.trace!.v1.ExportTraceServiceRequest!,
};

/** Runs fn for ~ms milliseconds (after a warm-up) and returns calls per second. */
function rate(fn: () => unknown, ms = 700): number {
  const warm = performance.now() + 150;
  while (performance.now() < warm) fn();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 5; i++) fn();
    n += 5;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

export interface CodecRow {
  signal: Signal;
  op: string;
  items: number;
  telemd: number;
  peer: number;
  peerName: string;
}

export async function codecBench(): Promise<CodecRow[]> {
  const spans = sdkSpans(1000);
  const logs = sdkLogs(1000);
  const metrics = await sdkMetrics(600);
  const inputs = {
    traces: { sdk: spans, pb: ProtobufTraceSerializer, js: JsonTraceSerializer },
    logs: { sdk: logs, pb: ProtobufLogsSerializer, js: JsonLogsSerializer },
    metrics: { sdk: metrics, pb: ProtobufMetricsSerializer, js: JsonMetricsSerializer },
  } as const;
  const rows: CodecRow[] = [];
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    const { sdk, pb, js } = inputs[signal];
    const serialize = (s: { serializeRequest(x: never): Uint8Array | undefined }) => s.serializeRequest(sdk as never)!;
    const bytes = serialize(pb as never);
    const data = decodeProto(signal, bytes) as SignalData[typeof signal];
    const items = countItems(signal, data);
    // Same data check: our encoding decodes to what the transformer's encoding decodes to.
    const ours = encodeProto(signal, data);
    if (JSON.stringify(decodeProto(signal, ours), replacer) !== JSON.stringify(data, replacer)) throw new Error(`${signal}: round trip differs`);
    const json = encodeJson(signal, data);
    const genMsg = gen[signal].decode(bytes);
    rows.push(
      { signal, op: 'encode protobuf', items, telemd: rate(() => encodeProto(signal, data)), peer: rate(() => serialize(pb as never)), peerName: 'otlp-transformer 0.301' },
      { signal, op: 'encode JSON', items, telemd: rate(() => encodeJson(signal, data)), peer: rate(() => serialize(js as never)), peerName: 'otlp-transformer 0.301' },
      { signal, op: 'decode protobuf', items, telemd: rate(() => decodeProto(signal, bytes)), peer: rate(() => gen[signal].decode(bytes)), peerName: 'protobufjs generated (0.57)' },
      { signal, op: 'encode protobuf', items, telemd: rate(() => encodeProto(signal, data)), peer: rate(() => gen[signal].encode(genMsg).finish()), peerName: 'protobufjs generated (0.57)' },
      { signal, op: 'decode JSON', items, telemd: rate(() => decodeJson(signal, json)), peer: rate(() => JSON.parse(json)), peerName: 'JSON.parse alone' },
    );
  }
  return rows;
}

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}
