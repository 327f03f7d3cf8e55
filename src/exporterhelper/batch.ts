// What a sending queue holds and a worker sends: the batch's records, or (for exporters that
// encode on arrival) only its encoded request. Encoding when a batch is accepted lets its
// records be collected at once instead of aging in the queue into the old generation: filelog →
// otlphttp went from 1.87 to 1.34 CPU-s per million lines (5 interleaved runs, json_parser path).
import { countItems } from '../pdata/count.js';
import { appendBatch } from '../pdata/split.js';
import { emptyData } from '../pdata/count.js';
import type { Signal, SignalData } from '../pdata/types.js';

/** How an exporter turns a batch into its request body (and back, where it can). */
export interface BatchEncoding<S extends Signal> {
  /**
   * Persistent-queue codec id of the bytes `encode` writes, when the queue may store them as
   * they are (OTLP protobuf is `protoCodec`): no second encoding on the way in, none on the way out.
   */
  readonly codecId?: number;
  /** Further codec ids whose stored bytes this exporter sends as they are (formats it wrote before). */
  readonly accepts?: readonly number[];
  encode(data: SignalData[S]): Uint8Array;
  /** Records of a request (to split one refused as too large, a log sample); absent when the bytes cannot be read back. */
  decode?(bytes: Uint8Array, codecId?: number): SignalData[S];
  /**
   * One request for several (queue batching), or undefined when these cannot be joined or the
   * result would pass the exporter's own size limit. Default: decode, append, encode.
   */
  merge?(parts: readonly Batch<S>[]): Uint8Array | undefined;
  /** Requests in `codecId` may be joined into one of `bytes` bytes (default yes): e.g. a backend's request size limit. */
  joinable?(codecId: number | undefined, bytes: number): boolean;
}

export class Batch<S extends Signal> {
  private constructor(
    readonly signal: S,
    readonly items: number,
    private readonly records: SignalData[S] | undefined,
    /** The encoded request, when the exporter encodes on arrival. */
    readonly bytes: Uint8Array | undefined,
    /** Codec id of `bytes` (see BatchEncoding.codecId); undefined = the exporter's encode, not storable as is. */
    readonly codecId: number | undefined,
    private readonly encoding: BatchEncoding<S> | undefined,
  ) {}

  static of<S extends Signal>(signal: S, data: SignalData[S], items = countItems(signal, data)): Batch<S> {
    return new Batch(signal, items, data, undefined, undefined, undefined);
  }

  static encoded<S extends Signal>(signal: S, data: SignalData[S], encoding: BatchEncoding<S>): Batch<S> {
    return new Batch(signal, countItems(signal, data), undefined, encoding.encode(data), encoding.codecId, encoding);
  }

  /** A request encoded elsewhere (by the exporter, or read back from the persistent queue). */
  static request<S extends Signal>(signal: S, bytes: Uint8Array, items: number, encoding: BatchEncoding<S>, codecId = encoding.codecId): Batch<S> {
    return new Batch(signal, items, undefined, bytes, codecId, encoding);
  }

  /** The records can be had (held, or the encoding decodes). */
  get decodable(): boolean {
    return this.records !== undefined || this.encoding?.decode !== undefined;
  }

  /** The records; an encoded batch is decoded anew each time (a split, a log sample: rare). */
  get data(): SignalData[S] {
    if (this.records) return this.records;
    if (!this.encoding?.decode) throw new Error('this batch holds an encoded request that cannot be read back into records');
    return this.encoding.decode(this.bytes!, this.codecId);
  }

  /** An encoded request of this format may be joined with others into one of `bytes` bytes. */
  joinable(bytes: number): boolean {
    return this.encoding?.joinable?.(this.codecId, bytes) ?? true;
  }

  /** Bytes of the request when encoded, else undefined (the caller sizes records its own way). */
  get byteLength(): number | undefined {
    return this.bytes?.byteLength;
  }

  /**
   * One batch carrying all of `parts` in order, or undefined when they cannot be joined (no
   * common encoding, records that cannot be read back, or the exporter's merge declines).
   */
  static merge<S extends Signal>(parts: readonly Batch<S>[]): Batch<S> | undefined {
    if (parts.length === 1) return parts[0];
    const first = parts[0]!;
    const items = parts.reduce((n, p) => n + p.items, 0);
    const enc = first.encoding;
    const allBytes = parts.every((p) => p.bytes !== undefined && p.encoding === enc && p.codecId === first.codecId);
    if (allBytes && enc) {
      if (enc.merge) {
        const bytes = enc.merge(parts);
        return bytes && new Batch(first.signal, items, undefined, bytes, first.codecId, enc);
      }
      if (!enc.decode) return undefined;
    }
    if (!parts.every((p) => p.decodable)) return undefined;
    const data = emptyData(first.signal);
    for (const p of parts) appendBatch(first.signal, data, p.data);
    // Records of several requests: re-encoded once, when the exporter encodes on arrival.
    return allBytes && enc ? Batch.encoded(first.signal, data, enc) : Batch.of(first.signal, data, items);
  }
}

/** Concatenated protobuf messages are one message whose repeated fields hold all of theirs: OTLP requests join without decoding. */
export function concatBytes(parts: readonly Batch<Signal>[]): Uint8Array {
  return Buffer.concat(parts.map((p) => p.bytes!));
}
