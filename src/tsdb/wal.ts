// Write-ahead log of the head: numbered segment files of records, each record
//   0 magic u16 'TW' | 2 type u8 | 3 reserved u8 | 4 payload length u32 | 8 crc32 u32 | 12 payload
// (little endian; the CRC covers bytes 0..8 and the payload, so a torn or flipped byte anywhere is
// seen). A segment declares every series it uses (a SERIES record before its first SAMPLES), so any
// suffix of segments replays on its own and old segments are deleted once their samples are in
// blocks. Each run writes new segments only; a torn tail is never appended to.
//
// Group commit: records queue while a write runs and go out together in one write(2), with no
// timer before it. With fsyncIntervalMs = 0 a write is acknowledged after its fdatasync; with an
// interval the acknowledgement follows the write (the data is in the kernel: a kill -9 of telemd
// cannot lose it) and fdatasync runs within the interval (what a power loss can lose).
import { mkdir, open, readdir, readFile, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from '../storage/fsutil.js';
import { ByteReader, ByteWriter, crc32 } from './bytes.js';
import type { Series, SeriesKind } from './series.js';
import type { Labels } from '../promql/queryable.js';

const MAGIC = 0x5754;
const HEADER = 12;
const MAX_PAYLOAD = 256 * 1024 * 1024;
const REC_SERIES = 1;
const REC_SAMPLES = 2;
const SYNC_WRITE_BYTES = 256 * 1024;

export interface WalEntry {
  series: Series;
  t: number;
  v: number;
}

export interface WalOptions {
  dir: string;
  /** 0: acknowledge after fdatasync. >0: acknowledge after write, fdatasync within this many ms. */
  fsyncIntervalMs: number;
  /** Start a new segment past this size (default 32 MiB). */
  segmentBytes?: number;
  /** Called with an error message when a background fdatasync fails (logged by the store). */
  onSyncError?: (msg: string) => void;
}

export interface ReplayStats {
  segments: number;
  records: number;
  samples: number;
  tornTail: number;
  corruptRecords: number;
  skippedBytes: number;
  /** Samples whose series definition was lost with a damaged record. */
  orphanSamples: number;
}

export interface ReplayHandlers {
  series(labels: Labels, kind: SeriesKind): Series;
  samples(entries: WalEntry[]): void;
}

interface Segment {
  seq: number;
  path: string;
  size: number;
  /** Latest sample time in it (-Infinity when none). */
  maxT: number;
}

interface Pending {
  entries: WalEntry[];
  maxT: number;
  resolve(): void;
  reject(err: Error): void;
}

function segName(seq: number): string {
  return String(seq).padStart(8, '0');
}

function frame(type: number, payload: Buffer): Buffer {
  const rec = Buffer.allocUnsafe(HEADER + payload.length);
  rec.writeUInt16LE(MAGIC, 0);
  rec[2] = type;
  rec[3] = 0;
  rec.writeUInt32LE(payload.length, 4);
  rec.writeUInt32LE(crc32(payload, crc32(rec.subarray(0, 8))), 8);
  payload.copy(rec, HEADER);
  return rec;
}

/** The record at `off`, or undefined when there is no complete valid one there. */
function parse(buf: Buffer, off: number): { type: number; start: number; end: number } | undefined {
  if (off + HEADER > buf.length || buf.readUInt16LE(off) !== MAGIC) return undefined;
  const len = buf.readUInt32LE(off + 4);
  if (len > MAX_PAYLOAD || off + HEADER + len > buf.length) return undefined;
  const start = off + HEADER;
  if (crc32(buf.subarray(start, start + len), crc32(buf.subarray(off, off + 8))) !== buf.readUInt32LE(off + 8)) return undefined;
  return { type: buf[off + 2]!, start, end: start + len };
}

function resync(buf: Buffer, from: number): number {
  const magic = Buffer.from([MAGIC & 0xff, MAGIC >> 8]);
  for (let i = buf.indexOf(magic, from); i !== -1; i = buf.indexOf(magic, i + 1)) if (parse(buf, i)) return i;
  return -1;
}

export function encodeSeries(s: Series): Buffer {
  const w = new ByteWriter(256);
  w.u8(s.kind === 'counter' ? 1 : 0);
  w.uvarint(s.ref);
  const names = Object.keys(s.labels);
  w.uvarint(names.length);
  for (const n of names) {
    w.str(n);
    w.str(s.labels[n]!);
  }
  return frame(REC_SERIES, w.bytes());
}

export function encodeSamples(entries: WalEntry[]): Buffer {
  const w = new ByteWriter(16 + entries.length * 12);
  w.uvarint(entries.length);
  const base = entries.length ? entries[0]!.t : 0;
  w.varint(base);
  for (const e of entries) {
    w.uvarint(e.series.ref);
    w.varint(e.t - base);
    w.f64(e.v);
  }
  return frame(REC_SAMPLES, w.bytes());
}

export class Wal {
  private segments: Segment[] = [];
  private cur?: { seg: Segment; fh: FileHandle };
  /** Series declared in the current segment. */
  private declared = new Set<number>();
  private queue: Pending[] = [];
  private writing = false;
  private idle: Promise<void> = Promise.resolve();
  private idleResolve?: () => void;
  private cutRequested = false;
  private dirty = false;
  private syncTimer?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private closed = false;
  private nextSeq = 1;
  private readonly segBytes: number;
  /** fdatasync calls that completed. */
  fsyncs = 0;
  /** Write groups (one write(2) each). */
  groups = 0;
  private syncListeners: (() => void)[] = [];

  constructor(private readonly opts: WalOptions) {
    this.segBytes = opts.segmentBytes ?? 32 * 1024 * 1024;
  }

  /** Bytes of all segment files. */
  size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /** Reads every segment in order, then starts a new one for this run. */
  async replay(h: ReplayHandlers): Promise<ReplayStats> {
    const st: ReplayStats = { segments: 0, records: 0, samples: 0, tornTail: 0, corruptRecords: 0, skippedBytes: 0, orphanSamples: 0 };
    await mkdir(this.opts.dir, { recursive: true });
    const names = (await readdir(this.opts.dir)).filter((n) => /^\d{8}$/.test(n)).sort();
    for (const name of names) {
      const path = join(this.opts.dir, name);
      const seg: Segment = { seq: Number(name), path, size: 0, maxT: -Infinity };
      const buf = await readFile(path);
      seg.size = buf.length;
      if (buf.length === 0) {
        await rm(path, { force: true }); // a segment opened and never written
        this.nextSeq = seg.seq + 1;
        continue;
      }
      st.segments++;
      const refs = new Map<number, Series>();
      let off = 0;
      while (off < buf.length) {
        const rec = parse(buf, off);
        if (!rec) {
          const next = resync(buf, off + 1);
          st.skippedBytes += (next === -1 ? buf.length : next) - off;
          if (next === -1) {
            // Cut the torn tail off, so it is reported once, not at every start.
            st.tornTail++;
            await truncate(path, off);
            seg.size = off;
            break;
          }
          st.corruptRecords++;
          off = next;
          continue;
        }
        st.records++;
        try {
          const r = new ByteReader(buf, rec.start, rec.end);
          if (rec.type === REC_SERIES) {
            const kind: SeriesKind = r.u8() === 1 ? 'counter' : 'gauge';
            const ref = r.uvarint();
            const n = r.uvarint();
            const labels: Record<string, string> = {};
            for (let i = 0; i < n; i++) labels[r.str()] = r.str();
            refs.set(ref, h.series(labels, kind));
          } else if (rec.type === REC_SAMPLES) {
            const n = r.uvarint();
            const base = r.varint();
            const entries: WalEntry[] = [];
            for (let i = 0; i < n; i++) {
              const ref = r.uvarint();
              const t = base + r.varint();
              const v = r.f64();
              const s = refs.get(ref);
              if (!s) {
                st.orphanSamples++;
                continue;
              }
              entries.push({ series: s, t, v });
              if (t > seg.maxT) seg.maxT = t;
            }
            st.samples += entries.length;
            h.samples(entries);
          }
        } catch {
          // A record with a valid CRC that does not parse was written by a different version.
          st.corruptRecords++;
        }
        off = rec.end;
      }
      this.segments.push(seg);
      this.nextSeq = seg.seq + 1;
    }
    await this.openSegment();
    return st;
  }

  private async openSegment(): Promise<void> {
    const seq = this.nextSeq++;
    const path = join(this.opts.dir, segName(seq));
    const fh = await open(path, 'wx', 0o640);
    await fsyncDir(this.opts.dir);
    const seg: Segment = { seq, path, size: 0, maxT: -Infinity };
    this.segments.push(seg);
    this.cur = { seg, fh };
    this.declared.clear();
  }

  private async closeSegment(): Promise<void> {
    const c = this.cur;
    this.cur = undefined;
    if (!c) return;
    if (this.syncing) await this.syncing.catch(() => {});
    try {
      if (this.dirty) {
        this.dirty = false;
        await c.fh.datasync();
        this.fsyncs++;
        this.notifySynced();
      }
    } finally {
      await c.fh.close().catch(() => {});
    }
  }

  /**
   * Logs the samples (in this order, after everything logged before). Resolves when durable
   * under the policy (see the file comment); rejects when the write failed (nothing of the
   * group is acknowledged; the segment is abandoned and the next group starts a new one).
   */
  append(entries: WalEntry[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('history WAL is closed'));
    let maxT = -Infinity;
    for (const e of entries) if (e.t > maxT) maxT = e.t;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entries, maxT, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = true;
    this.idle = new Promise<void>((r) => (this.idleResolve = r));
    void this.loop();
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0 && !this.cutRequested) {
        this.writing = false;
        this.idleResolve?.();
        return;
      }
      // An empty segment needs no successor: cuts in a row (catching up) must not pile up files.
      if (this.cutRequested && this.cur && this.cur.seg.size === 0) this.cutRequested = false;
      if (this.cutRequested || (this.cur && this.cur.seg.size >= this.segBytes) || !this.cur) {
        this.cutRequested = false;
        try {
          await this.closeSegment();
          await this.openSegment();
        } catch (err) {
          this.failGroup(this.queue.splice(0), err as Error);
          continue;
        }
      }
      const group = this.queue.splice(0);
      if (group.length === 0) continue;
      await this.writeGroup(group);
    }
  }

  private failGroup(group: Pending[], err: Error): void {
    for (const p of group) p.reject(new Error(`history WAL write failed: ${err.message}`));
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    const { seg, fh } = this.cur!;
    const parts: Buffer[] = [];
    const newlyDeclared: number[] = [];
    let maxT = seg.maxT;
    for (const p of group) {
      for (const e of p.entries)
        if (!this.declared.has(e.series.ref)) {
          this.declared.add(e.series.ref);
          newlyDeclared.push(e.series.ref);
          parts.push(encodeSeries(e.series));
        }
      if (p.entries.length) parts.push(encodeSamples(p.entries));
      if (p.maxT > maxT) maxT = p.maxT;
    }
    const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    try {
      let done = 0;
      while (done < buf.length) {
        // A group of a few KiB goes to the page cache in microseconds: written synchronously it
        // costs no thread-pool round trip (measured: the largest cost of an append under load).
        // Big groups go through the thread pool so the event loop never waits on them.
        const n =
          buf.length - done <= SYNC_WRITE_BYTES
            ? writeSync(fh.fd, buf, done, buf.length - done, seg.size + done)
            : (await fh.write(buf, done, buf.length - done, seg.size + done)).bytesWritten;
        if (n <= 0) throw new Error('short write');
        done += n;
      }
      seg.size += buf.length;
      seg.maxT = maxT;
      this.groups++;
      if (this.opts.fsyncIntervalMs === 0) {
        await fh.datasync();
        this.fsyncs++;
        this.notifySynced();
      } else {
        this.dirty = true;
        this.scheduleSync();
      }
      for (const p of group) p.resolve();
    } catch (err) {
      // What reached the file is unknown: its tail is garbage to the next replay. Go on in a
      // new segment (which declares its series again).
      for (const r of newlyDeclared) this.declared.delete(r);
      const real = await stat(seg.path).then((s) => s.size, () => seg.size);
      seg.size = real;
      this.cutRequested = true;
      this.failGroup(group, err as Error);
    }
  }

  private scheduleSync(): void {
    if (this.syncTimer || this.closed) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      void this.sync().catch((err: unknown) => this.opts.onSyncError?.((err as Error).message));
    }, this.opts.fsyncIntervalMs);
    this.syncTimer.unref?.();
  }

  /** fdatasync what was written so far (interval mode; a no-op when nothing is pending). */
  async sync(): Promise<void> {
    if (this.syncing) await this.syncing;
    if (!this.dirty || !this.cur) return;
    const fh = this.cur.fh;
    this.dirty = false;
    this.syncing = fh.datasync().then(
      () => {
        this.fsyncs++;
        this.notifySynced();
      },
      (err: unknown) => {
        this.dirty = true;
        this.scheduleSync();
        throw err;
      },
    );
    try {
      await this.syncing;
    } finally {
      this.syncing = undefined;
    }
  }

  /** Called after each completed fdatasync (tests: what a power loss could not lose). */
  onSynced(fn: () => void): void {
    this.syncListeners.push(fn);
  }

  private notifySynced(): void {
    for (const fn of this.syncListeners) fn();
  }

  /** Starts a new segment with the next write (so the current one can be deleted later). */
  cut(): void {
    this.cutRequested = true;
    this.kick();
  }

  /** Deletes closed segments whose samples all precede `t` (they are in blocks). */
  async truncateBefore(t: number): Promise<number> {
    let removed = 0;
    while (this.segments.length > 1) {
      const s = this.segments[0]!;
      if (this.cur && s === this.cur.seg) break;
      if (s.maxT >= t) break;
      await rm(s.path, { force: true });
      this.segments.shift();
      removed++;
    }
    if (removed) await fsyncDir(this.opts.dir).catch(() => {});
    return removed;
  }

  /** Waits for queued writes, fsyncs and closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.writing) await this.idle;
    this.closed = true;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.syncing) await this.syncing.catch(() => {});
    await this.closeSegment();
  }
}
