// The official generated protobufjs root (shipped inside @opentelemetry/otlp-transformer 0.57),
// used to check what telemd encodes against the opentelemetry-proto schema.
import { createRequire } from 'node:module';
import type { Signal } from '../../src/pdata/types.js';

interface PbType {
  decode(b: Uint8Array): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  fromObject(o: unknown): unknown;
  toObject(m: unknown, opts: Record<string, unknown>): Record<string, unknown>;
}

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-transformer-057/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: Record<string, { v1: Record<string, PbType> }> } };
};
const c = root.opentelemetry.proto.collector;

export const officialRequest: Record<Signal, PbType> = {
  metrics: c.metrics!.v1.ExportMetricsServiceRequest!,
  logs: c.logs!.v1.ExportLogsServiceRequest!,
  traces: c.trace!.v1.ExportTraceServiceRequest!,
};
export const officialResponse: Record<Signal, PbType> = {
  metrics: c.metrics!.v1.ExportMetricsServiceResponse!,
  logs: c.logs!.v1.ExportLogsServiceResponse!,
  traces: c.trace!.v1.ExportTraceServiceResponse!,
};

/** Decode with the official schema into plain OTLP/JSON-like objects. */
export function officialDecode(signal: Signal, bytes: Uint8Array): Record<string, unknown> {
  const T = officialRequest[signal];
  return T.toObject(T.decode(bytes), { longs: String, enums: Number, bytes: String, defaults: false, arrays: false });
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * Canonical form for comparing the official decoding with telemd's OTLP/JSON: proto3 defaults
 * (0, '', false, empty lists/maps) dropped, numbers as strings, ids as hex.
 */
export function canonical(v: unknown, key = ''): unknown {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
  if (typeof v === 'string') {
    if (ID_KEYS.has(key) && !/^[0-9a-f]*$/.test(v)) return Buffer.from(v, 'base64').toString('hex');
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => canonical(x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const c = canonical(x, k);
      if (c === '0' || c === '' || c === false || c === undefined || c === null) continue;
      if (Array.isArray(c) && c.length === 0) continue;
      if (c && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0 && k !== 'value') continue;
      out[k] = c;
    }
    return out;
  }
  return v;
}
