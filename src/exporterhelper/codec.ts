// How a batch becomes bytes in the persistent queue. Every record carries its codec id, so the
// format can change between versions and old queues still drain.
import { deserialize, serialize } from 'node:v8';
import type { Signal, SignalData } from '../pdata/types.js';
import { encodeProto } from '../otlp/pb-encode.js';
import { decodeProto } from '../otlp/pb-decode.js';

export interface Codec {
  /** Stored in each record; never reuse an id for a different format. */
  readonly id: number;
  readonly name: string;
  encode<S extends Signal>(signal: S, data: SignalData[S]): Uint8Array;
  decode<S extends Signal>(signal: S, bytes: Uint8Array): SignalData[S];
}

// JSON has no bigint, bytes, NaN/±Infinity or -0: they become one-key tagged objects, and user
// keys that start with '$' get one more '$', so a tag can never be confused with user data.
function toJsonTree(v: unknown): unknown {
  switch (typeof v) {
    case 'bigint':
      return { $n: v.toString() };
    case 'number':
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      return { $f: Object.is(v, -0) ? '-0' : String(v) };
    case 'object': {
      if (v === null) return null;
      if (v instanceof Uint8Array) return { $u: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
      if (Array.isArray(v)) return v.map(toJsonTree);
      const out: Record<string, unknown> = {};
      for (const k in v as Record<string, unknown>) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined) continue;
        out[k.charCodeAt(0) === 36 ? '$' + k : k] = toJsonTree(x);
      }
      return out;
    }
    default:
      return v;
  }
}

function fromJsonTree(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = fromJsonTree(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const k = keys[0]!;
    const x = o[k];
    if (typeof x === 'string') {
      if (k === '$n') return BigInt(x);
      if (k === '$u') return new Uint8Array(Buffer.from(x, 'base64'));
      if (k === '$f') return x === '-0' ? -0 : Number(x);
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k.charCodeAt(0) === 36 ? k.slice(1) : k] = fromJsonTree(o[k]);
  return out;
}

export const jsonCodec: Codec = {
  id: 1,
  name: 'json',
  encode: (_signal, data) => Buffer.from(JSON.stringify(toJsonTree(data)), 'utf8'),
  decode: <S extends Signal>(_signal: S, bytes: Uint8Array) =>
    fromJsonTree(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))) as SignalData[S],
};

/**
 * V8's structured-clone format: lossless for this data model and several times faster than
 * JSON. V8 reads older versions of its own format, and the record's codec id guards the rest.
 */
export const v8Codec: Codec = {
  id: 2,
  name: 'v8',
  encode: (_signal, data) => serialize(data),
  decode: <S extends Signal>(_signal: S, bytes: Uint8Array) => deserialize(bytes) as SignalData[S],
};

/** OTLP protobuf (ExportXServiceRequest), the wire format: compact, readable by other tools. */
export const protoCodec: Codec = {
  id: 3,
  name: 'otlp-proto',
  encode: (signal, data) => encodeProto(signal, data),
  decode: (signal, bytes) => decodeProto(signal, bytes),
};

/**
 * Ids of request formats exporters store in the persistent queue as they are (BatchEncoding
 * codecId / accepts); the queue hands them back as bytes and never decodes them. Reserved here,
 * beside the codecs above, so that no two formats ever share an id.
 */
/** prometheus.WriteRequest (Remote-Write 1.0), uncompressed protobuf. */
export const PROMETHEUS_RW1_CODEC = 4;
/** io.prometheus.write.v2.Request (Remote-Write 2.0), uncompressed protobuf. */
export const PROMETHEUS_RW2_CODEC = 5;

const codecs = new Map<number, Codec>([
  [jsonCodec.id, jsonCodec],
  [v8Codec.id, v8Codec],
  [protoCodec.id, protoCodec],
]);

export function codecById(id: number): Codec | undefined {
  return codecs.get(id);
}
