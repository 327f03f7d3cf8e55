// Immutable block files: the samples of every series over one time window of one tier.
//
//   0  magic 'TMDB' u32 | version u8 | 3 zero bytes
//   8  streams: encoded timestamp streams and value streams (intcodec / floatcodec), back to back
//      index: deflate-compressed JSON (labels, kinds, stream offsets, lengths and CRC32s)
//   -20 footer: index offset u64 | index length u32 | index crc32 u32 | magic u32
//
// Series scraped together have identical timestamps; their time streams are byte-identical and
// stored once (hostmetrics: one time stream for all series of a block). Blocks are written to a
// temporary name, fsync'd and renamed, so a crash leaves either the whole block or none.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { fsyncDir } from '../storage/fsutil.js';
import { crc32 } from './bytes.js';
import { decodeTimes, encodeTimes } from './intcodec.js';
import { decodeValues, encodeValues } from './floatcodec.js';
import type { CounterState } from './rollup.js';
import type { Series, SeriesKind, SeriesTable } from './series.js';
import type { Labels } from '../promql/queryable.js';

const MAGIC = 0x42444d54;
const VERSION = 1;
const FOOTER = 20;

// The index lists stream lengths, not offsets: time streams are laid out first, in order, then
// the value streams of each series, in order. One CRC covers a series' value streams together.
interface IndexSeries {
  l: Labels;
  k: 'c' | 'g';
  /** Index into `times`. */
  t: number;
  /** First sample time minus the block's minT, and last minus first. */
  r: [number, number];
  /** crc32 of the series' value streams. */
  c: number;
  /** Lengths of its value streams. */
  z: number[];
  /** Counter state after the last sample (roll-up tiers). */
  e?: [number, number];
}

interface IndexJson {
  v: number;
  tier: string;
  res: number;
  minT: number;
  maxT: number;
  samples: number;
  /** [length, crc32] of each time stream. */
  times: [number, number][];
  series: IndexSeries[];
}

interface TimeRef {
  off: number;
  len: number;
  crc: number;
}

export interface BlockMeta {
  tier: string;
  /** 0 for raw samples. */
  resolutionMs: number;
  /** The window: [minT, maxT). */
  minT: number;
  maxT: number;
  /** Points stored (samples, or roll-up points). */
  samples: number;
}

export interface BlockInput {
  series: Series;
  t: Float64Array;
  vs: Float64Array[];
  end?: CounterState;
}

export interface BlockEntry {
  series: Series;
  timeIdx: number;
  minT: number;
  maxT: number;
  /** Offset of the series' value streams, their total length and CRC, each stream's length. */
  off: number;
  len: number;
  crc: number;
  lens: number[];
  end?: CounterState;
}

export class CorruptBlockError extends Error {}

export function blockName(minT: number, maxT: number): string {
  return `${minT}-${maxT}.blk`;
}

/** Writes a block file atomically; returns its size. */
export async function writeBlock(dir: string, meta: BlockMeta, input: BlockInput[]): Promise<{ path: string; size: number }> {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(MAGIC, 0);
  head[4] = VERSION;
  const timeParts: Uint8Array[] = [];
  const valueParts: Uint8Array[] = [];
  const times: [number, number][] = [];
  const timeIds = new Map<string, number>();
  const series: IndexSeries[] = [];
  let i = 0;
  for (const s of input) {
    if (s.t.length === 0) continue;
    if (++i % 16 === 0) await yieldLoop(); // encoding a big block must not stall appends
    const tb = encodeTimes(s.t);
    const key = Buffer.from(tb.buffer, tb.byteOffset, tb.byteLength).toString('latin1');
    let ti = timeIds.get(key);
    if (ti === undefined) {
      ti = times.length;
      times.push([tb.length, crc32(tb)]);
      timeParts.push(tb);
      timeIds.set(key, ti);
    }
    const vb = s.vs.map((v) => encodeValues(v));
    let crc = 0;
    for (const b of vb) {
      crc = crc32(b, crc);
      valueParts.push(b);
    }
    const first = s.t[0]!;
    const entry: IndexSeries = {
      l: s.series.labels,
      k: s.series.kind === 'counter' ? 'c' : 'g',
      t: ti,
      r: [first - meta.minT, s.t[s.t.length - 1]! - first],
      c: crc,
      z: vb.map((b) => b.length),
    };
    if (s.end) entry.e = [s.end.lastRaw, s.end.lastAdj];
    series.push(entry);
  }
  const index: IndexJson = { v: VERSION, tier: meta.tier, res: meta.resolutionMs, minT: meta.minT, maxT: meta.maxT, samples: meta.samples, times, series };
  const ib = deflateRawSync(Buffer.from(JSON.stringify(index)));
  let dataEnd = 8;
  for (const p of timeParts) dataEnd += p.length;
  for (const p of valueParts) dataEnd += p.length;
  const footer = Buffer.alloc(FOOTER);
  footer.writeBigUInt64LE(BigInt(dataEnd), 0);
  footer.writeUInt32LE(ib.length, 8);
  footer.writeUInt32LE(crc32(ib), 12);
  footer.writeUInt32LE(MAGIC, 16);
  const file = Buffer.concat([head, ...timeParts, ...valueParts, ib, footer]);
  const path = join(dir, blockName(meta.minT, meta.maxT));
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o640);
  try {
    let done = 0;
    while (done < file.length) done += (await fh.write(file, done, file.length - done, done)).bytesWritten;
    await fh.datasync();
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  await fsyncDir(dir);
  return { path, size: file.length };
}

/** A block on disk: its index in memory, its streams read on demand. */
export class Block {
  /** Queries holding the block (its file stays open until the last one is done). */
  private pins = 0;
  private retired = false;
  private closed = false;
  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly meta: BlockMeta,
    readonly size: number,
    readonly times: TimeRef[],
    readonly entries: Map<Series, BlockEntry>,
  ) {}

  /**
   * Reads the index; the file stays open for the block's life, so a query that started before the
   * block was deleted (retention, disk cap, merge) still reads it.
   */
  static async open(path: string, table: SeriesTable): Promise<Block> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      if (size < 8 + FOOTER) throw new CorruptBlockError(`${path}: too short (${size} bytes)`);
      const footer = Buffer.alloc(FOOTER);
      await fh.read(footer, 0, FOOTER, size - FOOTER);
      if (footer.readUInt32LE(16) !== MAGIC) throw new CorruptBlockError(`${path}: not a history block (bad footer)`);
      const ioff = Number(footer.readBigUInt64LE(0));
      const ilen = footer.readUInt32LE(8);
      if (ioff + ilen + FOOTER !== size) throw new CorruptBlockError(`${path}: index out of bounds`);
      const ib = Buffer.alloc(ilen);
      await fh.read(ib, 0, ilen, ioff);
      if (crc32(ib) !== footer.readUInt32LE(12)) throw new CorruptBlockError(`${path}: index checksum mismatch`);
      const idx = JSON.parse(inflateRawSync(ib).toString('utf8')) as IndexJson;
      if (idx.v !== VERSION) throw new CorruptBlockError(`${path}: unsupported block version ${idx.v}`);
      let off = 8;
      const times: TimeRef[] = idx.times.map(([len, crc]) => {
        const t = { off, len, crc };
        off += len;
        return t;
      });
      const entries = new Map<Series, BlockEntry>();
      for (const e of idx.series) {
        const kind: SeriesKind = e.k === 'c' ? 'counter' : 'gauge';
        const s = table.getOrCreate(e.l, kind);
        if (kind === 'counter') s.kind = 'counter';
        s.blocks++;
        const minT = idx.minT + e.r[0];
        const maxT = minT + e.r[1];
        if (minT < s.minT) s.minT = minT;
        if (maxT > s.maxT) s.maxT = maxT;
        const len = e.z.reduce((a, b) => a + b, 0);
        entries.set(s, { series: s, timeIdx: e.t, minT, maxT, off, len, crc: e.c, lens: e.z, end: e.e ? { lastRaw: e.e[0], lastAdj: e.e[1] } : undefined });
        off += len;
      }
      if (off !== ioff) throw new CorruptBlockError(`${path}: index does not match the data (${off} != ${ioff})`);
      const meta: BlockMeta = { tier: idx.tier, resolutionMs: idx.res, minT: idx.minT, maxT: idx.maxT, samples: idx.samples };
      return new Block(fh, path, meta, size, times, entries);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /**
   * Decoded samples of `entries` (of this block), value stream `agg` of each (0 for raw blocks).
   * One read covers all requested streams; shared time streams are decoded once.
   */
  async read(entries: BlockEntry[], aggs: number[]): Promise<{ t: Float64Array; vs: Float64Array[] }[]> {
    if (entries.length === 0) return [];
    let lo = Infinity;
    let hi = 0;
    for (const e of entries) {
      const t = this.times[e.timeIdx]!;
      lo = Math.min(lo, t.off, e.off);
      hi = Math.max(hi, t.off + t.len, e.off + e.len);
    }
    if (this.closed) throw new Error(`${this.path}: block was deleted`);
    const buf = Buffer.allocUnsafe(hi - lo);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await this.fh.read(buf, got, buf.length - got, lo + got);
      if (bytesRead === 0) throw new CorruptBlockError(`${this.path}: file shorter than its index says`);
      got += bytesRead;
    }
    const timeCache = new Map<number, Float64Array>();
    return entries.map((e) => {
      let t = timeCache.get(e.timeIdx);
      if (!t) {
        const r = this.times[e.timeIdx]!;
        const b = buf.subarray(r.off - lo, r.off - lo + r.len);
        if (crc32(b) !== r.crc) throw new CorruptBlockError(`${this.path}: time stream checksum mismatch at offset ${r.off}`);
        t = decodeTimes(b);
        timeCache.set(e.timeIdx, t);
      }
      const vb = buf.subarray(e.off - lo, e.off - lo + e.len);
      if (crc32(vb) !== e.crc) throw new CorruptBlockError(`${this.path}: value streams checksum mismatch at offset ${e.off}`);
      const starts: number[] = [];
      let o = 0;
      for (const l of e.lens) {
        starts.push(o);
        o += l;
      }
      return { t, vs: aggs.map((a) => decodeValues(vb, starts[a]!, starts[a]! + e.lens[a]!)) };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close().catch(() => {});
  }

  /** A query holds the block until unpin(). */
  pin(): void {
    this.pins++;
  }

  unpin(): void {
    if (--this.pins === 0 && this.retired) void this.close();
  }

  /** The block was deleted or replaced: close the file once the queries holding it are done. */
  retire(): void {
    this.retired = true;
    if (this.pins === 0) void this.close();
  }

  /** Forgets the block's series references (the block is being deleted or replaced). */
  release(table: SeriesTable): void {
    for (const s of this.entries.keys()) {
      s.blocks--;
      if (s.blocks <= 0 && !s.head) table.remove(s);
    }
  }
}
