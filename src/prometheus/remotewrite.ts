// Remote-Write 1.0 WriteRequest protobuf, hand-written from prometheus/prompb (types.proto,
// remote.proto): a two-pass encoder (sizes, then bytes) and a decoder for tests and receivers.
import { snappy } from './snappy.js';
import { STALE_NAN_BITS, type FamilyType, type Label } from './model.js';

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

/** Bytes of a protobuf varint (shared with the Remote-Write 2.0 encoder). */
export function varintLen(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function strField(s: string): number {
  const n = Buffer.byteLength(s);
  return 1 + varintLen(n) + n;
}

/** A Sample always carries its double; timestamps 0 are omitted as proto3 does. */
function sampleSize(s: RwSample): number {
  return 9 + (s.timestampMs > 0 ? 1 + varintLen(s.timestampMs) : 0);
}

class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(n: number): void {
    const b = this.buf;
    while (n >= 128) {
      b[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    b[this.pos++] = n;
  }
  /** A string field whose UTF-8 length is already known. */
  strLen(tag: number, s: string, n: number): void {
    if (!n) return;
    this.buf[this.pos++] = tag;
    this.varint(n);
    if (n === s.length && n < 64) {
      // ASCII (UTF-8 length equals UTF-16 length): a JS loop beats the native call for short strings.
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }
  str(tag: number, s: string): void {
    if (!s) return;
    this.buf[this.pos++] = tag;
    const n = Buffer.byteLength(s);
    this.varint(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }
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

  const w = new Writer(Buffer.allocUnsafe(total));
  let li = 0;
  for (let i = 0; i < req.timeseries.length; i++) {
    const ts = req.timeseries[i]!;
    w.buf[w.pos++] = 0x0a;
    w.varint(tsSizes[i]!);
    for (const l of ts.labels) {
      const nl = lens[li++]!;
      const vl = lens[li++]!;
      w.buf[w.pos++] = 0x0a;
      w.varint((nl ? 1 + varintLen(nl) + nl : 0) + (vl ? 1 + varintLen(vl) + vl : 0));
      w.strLen(0x0a, l.name, nl);
      w.strLen(0x12, l.value, vl);
    }
    for (const s of ts.samples) {
      w.buf[w.pos++] = 0x12;
      w.varint(sampleSize(s));
      w.buf[w.pos++] = 0x09;
      if (s.stale) w.buf.writeBigUInt64LE(STALE_NAN_BITS, w.pos);
      else w.buf.writeDoubleLE(s.value, w.pos);
      w.pos += 8;
      if (s.timestampMs > 0) {
        w.buf[w.pos++] = 0x10;
        w.varint(s.timestampMs);
      }
    }
  }
  req.metadata.forEach((m, i) => {
    w.buf[w.pos++] = 0x1a;
    w.varint(metaSizes[i]!);
    const t = META_TYPES[m.type] ?? 0;
    if (t) {
      w.buf[w.pos++] = 0x08;
      w.varint(t);
    }
    w.str(0x12, m.familyName);
    w.str(0x22, m.help);
    w.str(0x2a, m.unit);
  });
  if (w.pos !== total) throw new Error(`remote-write encoder size mismatch ${w.pos} != ${total}`);
  return w.buf;
}

/** Snappy block format (not framed), as Remote-Write 1.0 requires. */
export function compressWriteRequest(req: WriteRequest): Buffer {
  return snappy().compressSync(encodeWriteRequest(req));
}

// ---------- decoding (tests, and any future remote-write receiver) ----------

/** A protobuf reader over one message (or a sub-message: `end`). */
export class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end = buf.length,
  ) {}
  varint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      n += (b & 127) * mul;
      if (b < 128) return n;
      mul *= 128;
      if (mul > 2 ** 70) throw new Error('varint too long');
    }
  }
  /** int64 varint that may be negative (two's complement, 10 bytes). */
  int64(): number {
    const start = this.pos;
    const n = this.varint();
    if (this.pos - start === 10) return Number(BigInt.asIntN(64, BigInt(n)));
    return n;
  }
  sub(): Reader {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error('truncated field');
    const r = new Reader(this.buf, this.pos + len);
    r.pos = this.pos;
    this.pos += len;
    return r;
  }
  string(): string {
    const r = this.sub();
    return this.buf.toString('utf8', r.pos, r.end);
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.sub();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

export function decodeWriteRequest(buf: Buffer): WriteRequest {
  const out: WriteRequest = { timeseries: [], metadata: [] };
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x0a) out.timeseries.push(decodeSeries(r.sub()));
    else if (tag === 0x1a) out.metadata.push(decodeMeta(r.sub()));
    else r.skip(tag & 7);
  }
  return out;
}

function decodeSeries(r: Reader): RwSeries {
  const ts: RwSeries = { labels: [], samples: [] };
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x0a) {
      const lr = r.sub();
      const l: Label = { name: '', value: '' };
      while (lr.pos < lr.end) {
        const t = lr.varint();
        if (t === 0x0a) l.name = lr.string();
        else if (t === 0x12) l.value = lr.string();
        else lr.skip(t & 7);
      }
      ts.labels.push(l);
    } else if (tag === 0x12) {
      const sr = r.sub();
      const s: RwSample = { value: 0, timestampMs: 0 };
      while (sr.pos < sr.end) {
        const t = sr.varint();
        if (t === 0x09) {
          if (sr.buf.readBigUInt64LE(sr.pos) === STALE_NAN_BITS) s.stale = true;
          s.value = sr.buf.readDoubleLE(sr.pos);
          sr.pos += 8;
        } else if (t === 0x10) s.timestampMs = sr.int64();
        else sr.skip(t & 7);
      }
      ts.samples.push(s);
    } else r.skip(tag & 7);
  }
  return ts;
}

function decodeMeta(r: Reader): RwMetadata {
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
