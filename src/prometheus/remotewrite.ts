// Remote-Write 1.0 WriteRequest protobuf, hand-written from prometheus/prompb (types.proto,
// remote.proto): a two-pass encoder (sizes, then bytes) and a decoder, both over the one
// protobuf reader/writer (src/protobuf).
import { snappy } from './snappy.js';
import { STALE_NAN_BITS, type FamilyType, type Label } from './model.js';
import { PbReader, sub } from '../protobuf/reader.js';
import { PbWriter, varintLen } from '../protobuf/writer.js';

export interface RwSample {
  value: number;
  timestampMs: number;
  stale?: boolean;
}

export interface RwSeries {
  labels: Label[];
  samples: RwSample[];
  /** The family's metadata (Remote-Write 2.0 sends it with every series). */
  meta?: RwMetadata;
}

export interface RwMetadata {
  type: FamilyType;
  familyName: string;
  help: string;
  unit: string;
}

export interface WriteRequest {
  timeseries: RwSeries[];
  metadata: RwMetadata[];
}

export const META_TYPES: Record<FamilyType, number> = {
  unknown: 0, counter: 1, gauge: 2, histogram: 3, gaugehistogram: 4, summary: 5, info: 6, stateset: 7,
};
const META_NAMES = Object.fromEntries(Object.entries(META_TYPES).map(([k, v]) => [v, k])) as Record<number, FamilyType>;

function strField(s: string): number {
  const n = Buffer.byteLength(s);
  return 1 + varintLen(n) + n;
}

/** A Sample always carries its double; timestamps 0 are omitted as proto3 does. */
function sampleSize(s: RwSample): number {
  return 9 + (s.timestampMs > 0 ? 1 + varintLen(s.timestampMs) : 0);
}

/** Encodes a WriteRequest. Label sorting/validation is the caller's job (see toWriteRequest). */
export function encodeWriteRequest(req: WriteRequest): Buffer {
  const tsSizes: number[] = new Array(req.timeseries.length);
  // Byte lengths of every label name and value, computed once for both passes.
  const lens: number[] = [];
  let total = 0;
  for (let i = 0; i < req.timeseries.length; i++) {
    const ts = req.timeseries[i]!;
    let n = 0;
    for (const l of ts.labels) {
      const nl = Buffer.byteLength(l.name);
      const vl = Buffer.byteLength(l.value);
      lens.push(nl, vl);
      const ls = (nl ? 1 + varintLen(nl) + nl : 0) + (vl ? 1 + varintLen(vl) + vl : 0);
      n += 1 + varintLen(ls) + ls;
    }
    for (const s of ts.samples) {
      const ss = sampleSize(s);
      n += 1 + varintLen(ss) + ss;
    }
    tsSizes[i] = n;
    total += 1 + varintLen(n) + n;
  }
  const metaSizes = req.metadata.map((m) => {
    const t = META_TYPES[m.type] ?? 0;
    return (t ? 1 + varintLen(t) : 0) + (m.familyName ? strField(m.familyName) : 0) + (m.help ? strField(m.help) : 0) + (m.unit ? strField(m.unit) : 0);
  });
  for (const ms of metaSizes) total += 1 + varintLen(ms) + ms;

  // Sized exactly (a varint asks for 10 bytes of room, so 10 more): the writer never grows.
  const w = new PbWriter(total + 10);
  let li = 0;
  for (let i = 0; i < req.timeseries.length; i++) {
    const ts = req.timeseries[i]!;
    w.tag(1, 2);
    w.varint(tsSizes[i]!);
    for (const l of ts.labels) {
      const nl = lens[li++]!;
      const vl = lens[li++]!;
      w.tag(1, 2);
      w.varint((nl ? 1 + varintLen(nl) + nl : 0) + (vl ? 1 + varintLen(vl) + vl : 0));
      if (nl) w.stringLen(1, l.name, nl);
      if (vl) w.stringLen(2, l.value, vl);
    }
    for (const s of ts.samples) {
      w.tag(2, 2);
      w.varint(sampleSize(s));
      w.tag(1, 1);
      if (s.stale) w.fixed64(STALE_NAN_BITS);
      else w.double(s.value);
      if (s.timestampMs > 0) {
        w.tag(2, 0);
        w.varint(s.timestampMs);
      }
    }
  }
  req.metadata.forEach((m, i) => {
    w.tag(3, 2);
    w.varint(metaSizes[i]!);
    const t = META_TYPES[m.type] ?? 0;
    if (t) {
      w.tag(1, 0);
      w.varint(t);
    }
    if (m.familyName) w.string(2, m.familyName);
    if (m.help) w.string(4, m.help);
    if (m.unit) w.string(5, m.unit);
  });
  if (w.pos !== total) throw new Error(`remote-write encoder size mismatch ${w.pos} != ${total}`);
  return w.buf.subarray(0, total);
}

/** Snappy block format (not framed), as Remote-Write 1.0 requires. */
export function compressWriteRequest(req: WriteRequest): Buffer {
  return snappy().compressSync(encodeWriteRequest(req));
}

// ---------- decoding (the exporter's queued requests, tests, any remote-write receiver) ----------

/** A Sample message: the double (stale markers by their bit pattern) and the timestamp. */
export function decodeSample(r: PbReader): RwSample {
  const s: RwSample = { value: 0, timestampMs: 0 };
  while (r.pos < r.end) {
    const t = r.varint();
    if (t === 0x09) {
      s.value = r.double();
      if (Number.isNaN(s.value) && r.view.getBigUint64(r.pos - 8, true) === STALE_NAN_BITS) s.stale = true;
    } else if (t === 0x10) s.timestampMs = Number(r.int64());
    else r.skip(t & 7);
  }
  return s;
}

export function decodeWriteRequest(buf: Uint8Array): WriteRequest {
  const out: WriteRequest = { timeseries: [], metadata: [] };
  const r = new PbReader(buf);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x0a) out.timeseries.push(sub(r, decodeSeries));
    else if (tag === 0x1a) out.metadata.push(sub(r, decodeMeta));
    else r.skip(tag & 7);
  }
  return out;
}

function decodeLabel(r: PbReader): Label {
  const l: Label = { name: '', value: '' };
  while (r.pos < r.end) {
    const t = r.varint();
    if (t === 0x0a) l.name = r.string();
    else if (t === 0x12) l.value = r.string();
    else r.skip(t & 7);
  }
  return l;
}

function decodeSeries(r: PbReader): RwSeries {
  const ts: RwSeries = { labels: [], samples: [] };
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x0a) ts.labels.push(sub(r, decodeLabel));
    else if (tag === 0x12) ts.samples.push(sub(r, decodeSample));
    else r.skip(tag & 7);
  }
  return ts;
}

function decodeMeta(r: PbReader): RwMetadata {
  const m: RwMetadata = { type: 'unknown', familyName: '', help: '', unit: '' };
  while (r.pos < r.end) {
    const t = r.varint();
    if (t === 0x08) m.type = META_NAMES[r.varint()] ?? 'unknown';
    else if (t === 0x12) m.familyName = r.string();
    else if (t === 0x22) m.help = r.string();
    else if (t === 0x2a) m.unit = r.string();
    else r.skip(t & 7);
  }
  return m;
}

export function decompressWriteRequest(body: Buffer): WriteRequest {
  const raw = snappy().uncompressSync(body, { asBuffer: true });
  return decodeWriteRequest(Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
}
