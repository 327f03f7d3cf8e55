// On-disk record of the persistent queue (little endian):
//   0 magic u32 'TMQ1' | 4 payload length u32 | 8 crc32 u32 of bytes 12..end
//  12 codec id u8 | 13 version u8 | 14 reserved u16 | 16 seq u64 | 24 items u32 | 28 reserved u32
//  32 payload
// The magic lets a reader find the next record after a garbled one; the CRC covers everything
// after itself, so a torn or flipped byte anywhere is detected.
import * as zlib from 'node:zlib';

export const MAGIC = 0x31514d54;
export const HEADER = 32;
export const MAX_PAYLOAD = 512 * 1024 * 1024;

// zlib.crc32 exists from Node 20.15; a table-driven fallback keeps older 20.x working.
const table = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32Fallback(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = table[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const zcrc = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
export const crc32: (b: Uint8Array) => number = zcrc ? (b) => zcrc(b) >>> 0 : crc32Fallback;

export interface RecordMeta {
  seq: number;
  items: number;
  codec: number;
  /** Whole record length on disk (header + payload). */
  length: number;
}

export function encodeRecord(seq: number, items: number, codec: number, payload: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(HEADER + payload.byteLength);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(payload.byteLength, 4);
  buf.writeUInt8(codec, 12);
  buf.writeUInt8(1, 13);
  buf.writeUInt16LE(0, 14);
  buf.writeBigUInt64LE(BigInt(seq), 16);
  buf.writeUInt32LE(items, 24);
  buf.writeUInt32LE(0, 28);
  buf.set(payload, HEADER);
  buf.writeUInt32LE(crc32(buf.subarray(12)), 8);
  return buf;
}

/**
 * Parse the record at `off` of `buf`; undefined when there is no valid, complete record there
 * (bad magic, impossible length, short, or checksum mismatch).
 */
export function parseRecord(buf: Buffer, off: number): RecordMeta | undefined {
  if (off + HEADER > buf.length || buf.readUInt32LE(off) !== MAGIC) return undefined;
  const len = buf.readUInt32LE(off + 4);
  if (len > MAX_PAYLOAD || off + HEADER + len > buf.length) return undefined;
  if (crc32(buf.subarray(off + 12, off + HEADER + len)) !== buf.readUInt32LE(off + 8)) return undefined;
  return {
    seq: Number(buf.readBigUInt64LE(off + 16)),
    items: buf.readUInt32LE(off + 24),
    codec: buf.readUInt8(off + 12),
    length: HEADER + len,
  };
}

/** Offset of the next valid record at or after `from`, or -1. */
export function resync(buf: Buffer, from: number): number {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(MAGIC, 0);
  for (let i = buf.indexOf(magic, from); i !== -1; i = buf.indexOf(magic, i + 1)) if (parseRecord(buf, i)) return i;
  return -1;
}
