// Calibrates the decode-cost estimates that byte budgets use (MSG_COST, KV_COST in
// src/protobuf/reader.ts, JSON_STRUCT_COST in src/otlp/json-decode.ts): the heap a decoded request
// really takes (measured with --expose-gc) against the estimate, for SDK-made requests and for
// hostile shapes. The estimate must stay above the measurement. Run:
//   node --expose-gc --import tsx bench/otlp/cost.ts
import { decodeJson, decodeProtoCosted, encodeJson, encodeProto, jsonCost } from '../../src/otlp/index.js';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { Signal } from '../../src/pdata/types.js';
import { sdkLogs, sdkMetrics, sdkSpans } from './data.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heapOf(make: () => unknown): number {
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  const keep = make();
  gc!();
  gc!();
  const after = process.memoryUsage().heapUsed;
  if (keep === undefined) throw new Error('unreachable');
  return after - before;
}

const rows: { what: string; bytes: number; measured: number; estimate: number }[] = [];
function row(what: string, signal: Signal, pb: Uint8Array): void {
  // Several copies so the per-request noise of the heap counter washes out.
  const K = 20;
  const measured = heapOf(() => Array.from({ length: K }, () => decodeProtoCosted(signal, pb).data)) / K;
  rows.push({ what: `${what} (protobuf)`, bytes: pb.length, measured, estimate: decodeProtoCosted(signal, pb).cost });
  const data = decodeProtoCosted(signal, pb).data;
  const json = Buffer.from(encodeJson(signal, data as never));
  // JSON: the parsed tree and the decoded data exist at once while decoding: measure the peak.
  const jm = heapOf(() => Array.from({ length: K }, () => [JSON.parse(json.toString()), decodeJson(signal, json.toString())])) / K;
  rows.push({ what: `${what} (JSON)`, bytes: json.length, measured: jm, estimate: jsonCost(json) });
}

function hostile(n: number, item: Uint8Array): Uint8Array {
  // ExportLogsServiceRequest { resource_logs { scope_logs { log_records × n } } }
  const recs = Buffer.concat(Array.from({ length: n }, () => item));
  const lenPrefixed = (tag: number, b: Uint8Array) => Buffer.concat([Buffer.from([tag]), varint(b.length), b]);
  return lenPrefixed(0x0a, lenPrefixed(0x12, recs));
}
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

row('SDK spans x500', 'traces', ProtobufTraceSerializer.serializeRequest(sdkSpans(500))!);
row('SDK logs x500', 'logs', ProtobufLogsSerializer.serializeRequest(sdkLogs(500))!);
row('SDK metrics x300 series', 'metrics', ProtobufMetricsSerializer.serializeRequest(await sdkMetrics(300))!);
row('hostile: 100k empty log records', 'logs', hostile(100_000, Buffer.from([0x12, 0x00])));
row('hostile: 100k records of 1 empty attribute', 'logs', hostile(100_000, Buffer.from([0x12, 0x02, 0x32, 0x00])));
row('hostile: 50k records with a 4-deep array body', 'logs', hostile(50_000, Buffer.from([0x12, 0x0a, 0x2a, 0x08, 0x2a, 0x06, 0x0a, 0x04, 0x2a, 0x02, 0x0a, 0x00])));
{
  // ExportTraceServiceRequest { resource_spans { scope_spans { spans × 100k (empty) } } }
  const spans = Buffer.concat(Array.from({ length: 100_000 }, () => Buffer.from([0x12, 0x00])));
  const lp = (tag: number, b: Uint8Array) => Buffer.concat([Buffer.from([tag]), varint(b.length), b]);
  const pb = lp(0x0a, lp(0x12, spans));
  const K = 5;
  rows.push({ what: 'hostile: 100k empty spans (protobuf)', bytes: pb.length, measured: heapOf(() => Array.from({ length: K }, () => decodeProtoCosted('traces', pb).data)) / K, estimate: decodeProtoCosted('traces', pb).cost });
}
const jsonHostile = Buffer.from(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[${Array.from({ length: 100_000 }, () => '{"attributes":[{}]}').join(',')}]}]}]}`);
rows.push({
  what: 'hostile: 100k JSON records of one empty attribute (JSON)',
  bytes: jsonHostile.length,
  measured: heapOf(() => Array.from({ length: 3 }, () => [JSON.parse(jsonHostile.toString()), decodeJson('logs', jsonHostile.toString())])) / 3,
  estimate: jsonCost(jsonHostile),
});
const arr = Buffer.from(`[${Array.from({ length: 1_000_000 }, () => '{}').join(',')}]`);
rows.push({ what: 'hostile: 1M empty JSON objects (refused by shape, parse cost)', bytes: arr.length, measured: heapOf(() => JSON.parse(arr.toString())), estimate: jsonCost(arr) });

console.log('includes: heap of the decoded objects (and JSON.parse tree); excludes: the request body itself (charged while it is read)');
console.log('what'.padEnd(62), 'bytes'.padStart(10), 'measured'.padStart(11), 'estimate'.padStart(11), 'est/meas'.padStart(9));
for (const r of rows)
  console.log(r.what.padEnd(62), String(r.bytes).padStart(10), String(Math.round(r.measured)).padStart(11), String(r.estimate).padStart(11), (r.estimate / r.measured).toFixed(2).padStart(9));
