import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConsumerError } from '../component/consumer.js';
import { dropped, handedBack, type Outcome } from '../component/outcome.js';
import { Batch, type BatchEncoding } from './batch.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { StorageClient } from '../storage/storage.js';
import { fsyncDir } from '../storage/fsutil.js';
import type { Counter } from '../telemetry/self.js';
import { codecById, v8Codec, type Codec } from './codec.js';
import type { SendingQueueConfig } from './config.js';
import type { Lease, SendQueue } from './queue.js';
import { encodeRecord, HEADER, parseRecord } from './record.js';
import { scanSegment } from './scan.js';
import { AckFile } from './ack-file.js';
import { Backoff, sleep } from './backoff.js';
import type { OutcomeSink } from './memory-queue.js';
import { Coalescer } from '../util/coalescer.js';

interface Segment {
  path: string;
  firstSeq: number;
  lastSeq: number;
  /** Bytes on disk, garbage included. */
  size: number;
  records: number;
  done: number;
  reader?: Promise<FileHandle>;
}

const PENDING = 0;
const SENDING = 1;
const DONE = 2;

interface Entry<S extends Signal> {
  seq: number;
  seg: Segment;
  offset: number;
  length: number;
  items: number;
  units: number;
  state: number;
  cancel?: AbortController;
  /** Kept from `offer` while the hot cache has room: saves a read and a decode. */
  hot?: Batch<S>;
}

interface Admission<S extends Signal> {
  batch: Batch<S>;
  record: Buffer;
  codec: number;
  seq: number;
  items: number;
  units: number;
  resolve(): void;
  reject(e: ConsumerError): void;
}

export interface PersistentQueueCounters {
  corrupt(reason: string): Counter;
  /** Group commits (write + fdatasync) of queue records. */
  syncs: Counter;
  /** Failed reads of a record (I/O errors: the record is kept and read again later). */
  readErrors: Counter;
}

/** The record itself is bad (checksum, short file, codec): reading it again cannot help. */
class CorruptRecordError extends Error {}

const READ_RETRY = { initial_interval: 100, max_interval: 5000, multiplier: 2, randomization_factor: 0.2 };

export interface PersistentQueueOptions<S extends Signal> {
  /** Start a new segment file once the current one is this big. */
  segmentBytes?: number;
  /** Batches kept in memory so fresh data need not be read back (0 = always read). */
  hotCacheBytes?: number;
  /**
   * The exporter's request encoding: batches already encoded in a codec the queue can store
   * (`codecId`) are written as they are, and records in its codecs come back as request bytes.
   */
  encoding?: BatchEncoding<S>;
}

const ACK_FILE = 'ack';
const ACK_INTERVAL_MS = 20;

/** Close a segment's read handle; a failed open or close is not an error here. */
async function closeReader(seg: Segment): Promise<void> {
  const r = seg.reader;
  seg.reader = undefined;
  if (r) await r.then((fh) => fh.close(), () => {}).catch(() => {});
}

function segName(seq: number): string {
  return `${String(seq).padStart(20, '0')}.seg`;
}

/**
 * A queue of append-only segment files. `offer` resolves once the record is fsync'd (several
 * concurrent offers share one fsync). The ack pointer (first seq not yet settled) is stored
 * in place in an `ack` file beside the segments; after any restart, records at or after it are sent again
 * (at-least-once). Segments are deleted once every record in them is settled.
 */
export class PersistentQueue<S extends Signal> implements SendQueue<S> {
  readonly durable = true;
  readonly ownEncoding = true;
  private readonly dir: string;
  private readonly segBytes: number;
  private readonly hotLimit: number;
  private readonly encoding?: BatchEncoding<S>;
  private segments: Segment[] = [];
  private entries: Entry<S>[] = [];
  private head = 0;
  private cursor = 0;
  private nextSeq = 0;
  private unackedUnits = 0;
  private diskBytes = 0;
  private reservedUnits = 0;
  private reservedBytes = 0;
  private hotBytes = 0;
  private writeBuf: Admission<S>[] = [];
  private blocked: Admission<S>[] = [];
  private takers: ((e: Entry<S> | undefined) => void)[] = [];
  private arrivals: (() => void)[] = [];
  private cur?: { seg: Segment; fh: FileHandle };
  /** Group commit: one write + fdatasync going, the offers arriving meanwhile share the next. */
  private readonly writer = new Coalescer(() => this.writeGroup());
  /** First seq of the group being written (not yet in `entries`). */
  private writingSeq?: number;
  /** Pointer writes coalesce too, at most one per ACK_INTERVAL_MS under load (nobody waits for them). */
  private readonly acker = new Coalescer(() => this.storeAck(), () => (this.closed ? 0 : ACK_INTERVAL_MS));
  private ackFailing = false;
  private ackFile?: AckFile;
  private persistedAck = 0;
  private closed = false;
  private writeFailure?: { msg: string; loggedAt: number };
  private readFailure?: { loggedAt: number };
  private readonly readBackoff = new Backoff(READ_RETRY);
  /** Aborted by close(): ends read-retry waits at once. */
  private readonly closing = new AbortController();

  constructor(
    private readonly signal: S,
    private readonly cfg: SendingQueueConfig,
    private readonly client: StorageClient,
    private readonly codec: Codec,
    private readonly logger: Logger,
    private readonly counters: PersistentQueueCounters,
    private readonly outcomes: OutcomeSink,
    opts: PersistentQueueOptions<S> = {},
  ) {
    this.encoding = opts.encoding;
    this.dir = client.directory;
    this.segBytes = opts.segmentBytes ?? Math.max(64 * 1024, Math.min(32 * 1024 * 1024, Math.floor(cfg.max_disk_size / 16)));
    this.hotLimit = opts.hotCacheBytes ?? 16 * 1024 * 1024;
  }

  size(): number {
    return this.unackedUnits;
  }
  capacity(): number {
    return this.cfg.queue_size;
  }
  diskUsage(): number {
    return this.diskBytes;
  }

  // ---------- recovery ----------

  async start(): Promise<void> {
    const opened = await AckFile.open(join(this.dir, ACK_FILE), this.client.fsync !== false);
    this.ackFile = opened.file;
    const ack = opened.value ?? 0;
    if (opened.damaged) {
      this.counters.corrupt('ack_pointer').add(1);
      this.logger.warn('persistent queue: ack pointer unreadable; resending everything on disk (duplicates, no loss)');
    }
    this.persistedAck = ack;
    const names = (await readdir(this.dir)).filter((n) => /^\d{20}\.seg$/.test(n)).sort();
    let lastSeq = -1;
    let items = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      let buf: Buffer;
      try {
        buf = await readFile(path);
      } catch (err) {
        // An unreadable file must not stop the agent (systemd would restart it into the same
        // wall): move it aside for a human and go on.
        this.counters.corrupt('unreadable').add(1);
        await rename(path, `${path}.unreadable`).catch(() => {});
        this.logger.error({ segment: name, error: (err as Error).message }, `persistent queue: segment unreadable, moved aside to ${name}.unreadable`);
        continue;
      }
      const seg: Segment = { path, firstSeq: Number(name.slice(0, 20)), lastSeq: -1, size: buf.length, records: 0, done: 0 };
      const { records, damage } = scanSegment(buf, lastSeq);
      for (const r of records) {
        lastSeq = seg.lastSeq = r.seq;
        seg.records++;
        if (r.seq < ack) seg.done++;
        else {
          const units = this.unitsOf(r.items, r.length);
          this.entries.push({ seq: r.seq, seg, offset: r.offset, length: r.length, items: r.items, units, state: PENDING });
          this.unackedUnits += units;
          items += r.items;
        }
      }
      for (const d of damage) {
        this.counters.corrupt(d.reason).add(1);
        this.logger.warn(
          { segment: name, offset: d.offset, skipped_bytes: d.skippedBytes, reason: d.reason },
          d.reason === 'torn_tail'
            ? 'persistent queue: torn or corrupt tail skipped (an interrupted write); data after it is unrecoverable'
            : 'persistent queue: corrupt record skipped',
        );
      }
      this.diskBytes += seg.size;
      this.segments.push(seg);
    }
    this.nextSeq = Math.max(lastSeq + 1, ack);
    await this.cleanup();
    if (this.entries.length > 0)
      this.logger.info(
        { batches: this.entries.length, items, segments: this.segments.length, disk_bytes: this.diskBytes },
        'persistent queue: resuming delivery of data left on disk',
      );
  }

  private unitsOf(items: number, length: number): number {
    return this.cfg.sizer === 'requests' ? 1 : this.cfg.sizer === 'items' ? items : length;
  }

  // ---------- admission ----------

  /** Room for one more record; `settled` counts segments about to be deleted as free. */
  private fits(units: number, bytes: number, settled = 0): boolean {
    const u = this.unackedUnits + this.reservedUnits;
    const d = this.diskBytes - settled + this.reservedBytes;
    return (u === 0 || u + units <= this.cfg.queue_size) && (d <= 0 || d + bytes <= this.cfg.max_disk_size);
  }

  /** Bytes of segments whose records are all settled (deleted by the next cleanup). */
  private settledBytes(): number {
    let n = 0;
    for (const s of this.segments) if (s.done === s.records) n += s.size;
    return n;
  }

  offer(batch: Batch<S>): Promise<void> {
    if (this.closed) return Promise.reject(ConsumerError.retryable('exporter is shutting down'));
    const items = batch.items;
    let payload: Uint8Array;
    let codecId = this.codec.id;
    if (batch.bytes && batch.codecId !== undefined) {
      // Already in a format the queue stores as it is (the exporter's request): no second encoding.
      payload = batch.bytes;
      codecId = batch.codecId;
    } else {
      const data = batch.data;
      try {
        payload = this.codec.encode(this.signal, data);
      } catch (err) {
        // The record says which codec wrote it, so the lossless fallback can take over.
        try {
          payload = v8Codec.encode(this.signal, data);
          codecId = v8Codec.id;
          this.logger.warn({ codec: this.codec.name, error: (err as Error).message }, 'persistent queue: codec failed on a batch; stored it with the v8 codec');
        } catch {
          return this.refuse(batch, 'unencodable', `cannot serialize batch for the persistent queue: ${(err as Error).message}`);
        }
      }
    }
    const length = HEADER + payload.byteLength;
    if (length > this.cfg.max_disk_size)
      return this.refuse(batch, 'too_large', `batch of ${length} bytes is larger than the queue's max_disk_size (${this.cfg.max_disk_size})`);
    const units = this.unitsOf(items, length);
    return new Promise<void>((resolve, reject) => {
      // seq and record are filled in when admitted, so seqs follow the order of the file.
      const a: Admission<S> = { batch, record: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), codec: codecId, seq: -1, items, units, resolve, reject };
      this.admit(a);
    });
  }

  /** A batch the queue can never store: dropped (permanent), counted and logged once. */
  private refuse(batch: Batch<S>, reason: string, msg: string): Promise<void> {
    const error = ConsumerError.permanent(msg);
    this.outcomes.report(dropped(reason, error), batch.items, batch);
    return Promise.reject(error);
  }

  /** Refused back to the producer (retryable): the queue is full or shutting down. */
  private handBack(a: Admission<S>, reason: string, msg: string): void {
    const error = ConsumerError.retryable(msg);
    this.outcomes.report(handedBack(reason, error), a.items, a.batch);
    a.reject(error);
  }

  private admit(a: Admission<S>): void {
    const bytes = a.record.length + HEADER;
    const mode = this.cfg.when_full;
    // drop_newest refuses only when even the segments about to be deleted would not make room.
    if (mode === 'drop_newest' && !this.fits(a.units, bytes) && !this.fits(a.units, bytes, this.settledBytes()))
      return this.handBack(a, 'queue_full', 'persistent sending queue is full (when_full: drop_newest)');
    if (mode === 'drop_oldest') this.dropOldestFor(a.units, bytes);
    if (this.blocked.length > 0 || !this.fits(a.units, bytes)) {
      // block, or drop_oldest waiting for in-flight batches / segment deletion to free room.
      this.blocked.push(a);
      return;
    }
    this.accept(a);
  }

  private dropOldestFor(units: number, bytes: number): void {
    // Disk comes back only when a whole segment is settled and deleted (asynchronously), so
    // count settled segments as free here: drop just enough, then wait for the deletion.
    let settled = this.settledBytes();
    let evicted = false;
    // Oldest first, batches being retried included: otherwise a batch stuck in retries would
    // pin its segment and the queue could never make room.
    for (let i = this.head; i < this.entries.length && !this.fits(units, bytes, settled); i++) {
      const e = this.entries[i]!;
      if (e.state === DONE) continue;
      // Acknowledged already (it was on disk): evicting it loses it.
      this.outcomes.report(dropped('queue_full', ConsumerError.retryable('evicted from a full persistent sending queue (when_full: drop_oldest)')), e.items, e.hot);
      e.cancel?.abort();
      this.markDone(e);
      evicted = true;
      if (e.seg.done === e.seg.records) settled += e.seg.size;
    }
    // New records must not keep the segment being written alive.
    if (evicted && this.cur && this.cur.seg.done === this.cur.seg.records) this.rotateSoon = true;
  }
  private rotateSoon = false;

  private accept(a: Admission<S>): void {
    a.seq = this.nextSeq++;
    a.record = encodeRecord(a.seq, a.items, a.codec, a.record);
    this.reservedUnits += a.units;
    this.reservedBytes += a.record.length;
    this.writeBuf.push(a);
    void this.writer.run();
  }

  private pump(): void {
    while (this.blocked.length > 0) {
      const a = this.blocked[0]!;
      const bytes = a.record.length + HEADER;
      if (this.cfg.when_full === 'drop_oldest') this.dropOldestFor(a.units, bytes);
      if (!this.fits(a.units, bytes)) {
        if (this.cfg.when_full !== 'drop_newest' || this.fits(a.units, bytes, this.settledBytes())) return;
        this.blocked.shift();
        this.handBack(a, 'queue_full', 'persistent sending queue is full (when_full: drop_newest)');
        continue;
      }
      this.blocked.shift();
      this.accept(a);
    }
  }

  // ---------- writing (group commit) ----------

  private async openSegment(seq: number): Promise<void> {
    const path = join(this.dir, segName(seq));
    await mkdir(this.dir, { recursive: true }); // someone may have removed the state directory
    const fh = await open(path, 'w', 0o640);
    if (this.client.fsync !== false) await fsyncDir(this.dir);
    const seg: Segment = { path, firstSeq: seq, lastSeq: -1, size: 0, records: 0, done: 0 };
    this.segments.push(seg);
    this.cur = { seg, fh };
  }

  private async closeCurrent(): Promise<void> {
    const c = this.cur;
    this.cur = undefined;
    await c?.fh.close().catch(() => {});
  }

  /** One group commit of everything offered so far; never throws (a failure refuses the group's batches). */
  private async writeGroup(): Promise<void> {
    if (this.writeBuf.length === 0) return;
    const group = this.writeBuf.splice(0);
    this.writingSeq = group[0]!.seq;
    const total = group.reduce((n, a) => n + a.record.length, 0);
    try {
      if (this.cur && (this.cur.seg.size >= this.segBytes || this.rotateSoon)) {
        await this.closeCurrent();
        if (this.rotateSoon) this.scheduleAck(); // its cleanup deletes the settled segment
      }
      this.rotateSoon = false;
      if (!this.cur) await this.openSegment(group[0]!.seq);
      const { seg, fh } = this.cur!;
      const buf = group.length === 1 ? group[0]!.record : Buffer.concat(group.map((a) => a.record), total);
      const { bytesWritten } = await fh.write(buf, 0, buf.length, seg.size);
      if (bytesWritten !== buf.length) throw new Error(`short write (${bytesWritten} of ${buf.length} bytes)`);
      if (this.client.fsync !== false) {
        await fh.datasync();
        this.counters.syncs.add(1);
      }
      if (this.writeFailure) {
        this.logger.info({ directory: this.dir }, 'persistent queue writes work again');
        this.writeFailure = undefined;
      }
      let off = seg.size;
      seg.size += total;
      this.diskBytes += total;
      for (const a of group) {
        seg.records++;
        seg.lastSeq = a.seq;
        const keep = this.hotBytes + a.record.length <= this.hotLimit;
        if (keep) this.hotBytes += a.record.length;
        const e: Entry<S> = { seq: a.seq, seg, offset: off, length: a.record.length, items: a.items, units: a.units, state: PENDING, hot: keep ? a.batch : undefined };
        off += a.record.length;
        this.entries.push(e);
        this.unackedUnits += a.units;
        this.reservedUnits -= a.units;
        this.reservedBytes -= a.record.length;
        a.resolve();
        this.giveToTaker();
      }
      this.writingSeq = undefined;
      for (const w of this.arrivals.splice(0)) w();
    } catch (err) {
      this.writingSeq = undefined;
      // What reached the file is unknown: count the real size, and continue in a new segment.
      for (const a of group) {
        this.reservedUnits -= a.units;
        this.reservedBytes -= a.record.length;
        const error = ConsumerError.retryable(`persistent queue write failed: ${(err as Error).message}`, { cause: err });
        // Logged below once a minute, not per batch.
        this.outcomes.report(handedBack('write_failed', error), a.items, undefined, false);
        a.reject(error);
      }
      const msg = (err as Error).message;
      const now = Date.now();
      // A full disk fails every write: say it once a minute, not once per batch.
      if (!this.writeFailure || now - this.writeFailure.loggedAt > 60_000) {
        this.logger.error({ error: msg, batches: group.length, directory: this.dir }, 'persistent queue write failed; batches refused (retryable)');
        this.writeFailure = { msg, loggedAt: now };
      }
      if (this.cur) {
        const real = await stat(this.cur.seg.path).then((s) => s.size, () => this.cur!.seg.size);
        this.diskBytes += real - this.cur.seg.size;
        this.cur.seg.size = real;
        await this.closeCurrent();
      }
      this.pump();
    }
  }

  // ---------- dispatch ----------

  private nextPending(): Entry<S> | undefined {
    if (this.cursor < this.head) this.cursor = this.head;
    while (this.cursor < this.entries.length) {
      const e = this.entries[this.cursor]!;
      if (e.state === PENDING) return e;
      this.cursor++;
    }
    return undefined;
  }

  private giveToTaker(): void {
    if (this.takers.length === 0) return;
    const e = this.nextPending();
    if (!e) return;
    e.state = SENDING;
    this.takers.shift()!(e);
  }

  take(): Promise<Lease<S> | undefined> {
    return this.claim(true);
  }

  poll(): Promise<Lease<S> | undefined> {
    return this.claim(false);
  }

  arrival(): Promise<void> {
    if (this.closed || this.nextPending()) return Promise.resolve();
    return new Promise((r) => this.arrivals.push(r));
  }

  /** The next pending record as a lease, waiting for one when `wait`. */
  private async claim(wait: boolean): Promise<Lease<S> | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      let e = this.nextPending();
      if (e) e.state = SENDING;
      else {
        if (!wait) return undefined;
        e = await new Promise<Entry<S> | undefined>((r) => this.takers.push(r));
        if (!e) return undefined;
      }
      const entry = e;
      let batch = entry.hot;
      if (batch !== undefined) {
        entry.hot = undefined;
        this.hotBytes -= entry.length;
      } else {
        try {
          batch = await this.load(entry);
          if (this.readFailure) {
            this.logger.info('persistent queue: records are readable again');
            this.readFailure = undefined;
          }
          this.readBackoff.reset();
        } catch (err) {
          if (entry.state === DONE) continue; // dropped (drop_oldest) while it was being read
          if (!(err instanceof CorruptRecordError)) {
            // EMFILE, EIO, ENOMEM...: the record on disk may be fine. Keep it and read it again
            // later (a poll for queue batching leaves the waiting to the next take).
            await this.readFailed(entry, err as Error, wait);
            if (!wait) return undefined;
            continue;
          }
          this.counters.corrupt('unreadable').add(1);
          const error = ConsumerError.permanent(`persistent queue record unreadable: ${(err as Error).message}`);
          this.outcomes.report(dropped('corrupt', error), entry.items, undefined, false);
          this.logger.error(
            { segment: entry.seg.path, offset: entry.offset, seq: entry.seq, items: entry.items, error: (err as Error).message },
            'persistent queue: record unreadable, skipped',
          );
          this.markDone(entry);
          continue;
        }
      }
      // Only drop_oldest ever takes a batch away from its sender.
      if (this.cfg.when_full === 'drop_oldest') entry.cancel = new AbortController();
      return { batch, cancelled: entry.cancel?.signal, settle: (o: Outcome) => this.settle(entry, o) };
    }
  }

  private async readFailed(e: Entry<S>, err: Error, wait = true): Promise<void> {
    this.counters.readErrors.add(1);
    e.state = PENDING;
    if (this.cursor > this.head) this.cursor = this.head;
    const now = Date.now();
    if (!this.readFailure || now - this.readFailure.loggedAt > 60_000) {
      this.logger.error(
        { segment: e.seg.path, seq: e.seq, error: err.message },
        'persistent queue: cannot read a record back; it is kept and read again (retrying with backoff)',
      );
      this.readFailure = { loggedAt: now };
    }
    if (wait) await sleep(this.readBackoff.next(), this.closing.signal);
  }

  private async load(e: Entry<S>): Promise<Batch<S>> {
    const reader = (e.seg.reader ??= open(e.seg.path, 'r'));
    const buf = Buffer.allocUnsafe(e.length);
    let bytesRead: number;
    try {
      ({ bytesRead } = await (await reader).read(buf, 0, e.length, e.offset));
    } catch (err) {
      // Never cache a failed open (or a handle that failed a read): the next try opens afresh.
      if (e.seg.reader === reader) {
        e.seg.reader = undefined;
        void reader.then((fh) => fh.close(), () => {}).catch(() => {});
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CorruptRecordError(`segment file is gone: ${(err as Error).message}`);
      throw err;
    }
    const m = bytesRead === e.length ? parseRecord(buf, 0) : undefined;
    if (!m || m.seq !== e.seq) throw new CorruptRecordError('checksum mismatch or short read');
    const payload = buf.subarray(HEADER);
    const enc = this.encoding;
    // The exporter's own request format: handed over as bytes, never decoded here.
    if (enc && (m.codec === enc.codecId || enc.accepts?.includes(m.codec))) return Batch.request(this.signal, payload, e.items, enc, m.codec);
    const codec = codecById(m.codec);
    if (!codec) throw new CorruptRecordError(`unknown codec id ${m.codec} (written by a newer telemd?)`);
    try {
      return Batch.of(this.signal, codec.decode(this.signal, payload), e.items);
    } catch (err) {
      throw new CorruptRecordError(`cannot decode record: ${(err as Error).message}`);
    }
  }

  private settle(e: Entry<S>, o: Outcome): void {
    e.cancel = undefined;
    if (e.state === DONE) return; // dropped while it was being sent
    if (o.kind === 'handed_back') {
      // Shutdown: leave it on disk; it is sent again after the restart.
      e.state = PENDING;
      if (this.cursor > this.head) this.cursor = this.head;
      return;
    }
    this.markDone(e);
  }

  private markDone(e: Entry<S>): void {
    if (e.state === DONE) return;
    if (e.hot !== undefined) {
      e.hot = undefined;
      this.hotBytes -= e.length;
    }
    e.state = DONE;
    e.seg.done++;
    this.unackedUnits -= e.units;
    const before = this.head;
    while (this.head < this.entries.length && this.entries[this.head]!.state === DONE) this.head++;
    if (this.head > 4096 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.cursor = Math.max(0, this.cursor - this.head);
      this.head = 0;
    }
    if (this.head !== before || this.head === this.entries.length) this.scheduleAck();
    this.pump();
  }

  /**
   * First seq not yet settled. Seqs are given at admission but entries exist only after the
   * fsync, so records still being written or waiting to be written hold the pointer back too:
   * otherwise a pointer stored meanwhile would mark them done before they are ever sent.
   */
  private ackValue(): number {
    if (this.head < this.entries.length) return this.entries[this.head]!.seq;
    if (this.writingSeq !== undefined) return this.writingSeq;
    if (this.writeBuf.length > 0) return this.writeBuf[0]!.seq;
    return this.nextSeq;
  }

  // Ack writes coalesce: while one is being fsync'd, later acks wait and go in one write, at
  // most one per ACK_INTERVAL_MS under load: the data fsyncs are what acknowledgements wait for;
  // a later pointer only means a few more resends after a crash.
  private scheduleAck(): void {
    void this.acker.run();
  }

  /** Delete settled segments, then store the pointer; never throws. */
  private async storeAck(): Promise<void> {
    try {
      // Settled segments go first: on a full disk that is what makes room for the ack write.
      await this.cleanup();
      const ack = this.ackValue();
      if (ack === this.persistedAck) return;
      await this.ackFile!.write(ack);
      this.persistedAck = ack;
      if (this.ackFailing) this.logger.info('persistent queue: ack pointer stored again');
      this.ackFailing = false;
    } catch (err) {
      if (!this.ackFailing)
        this.logger.error(
          { error: (err as Error).message },
          'persistent queue: cannot store the ack pointer (data may be sent twice after a restart); retrying every second',
        );
      this.ackFailing = true;
      if (!this.closed) setTimeout(() => this.scheduleAck(), 1000).unref();
    }
  }

  /**
   * Delete segments whose records are all settled. This needs no stored ack pointer: a restart
   * only resends records still on disk at or after the stored pointer, and these are gone.
   */
  private async cleanup(): Promise<void> {
    const gone = new Set<Segment>();
    for (const seg of [...this.segments]) {
      const settled = seg.done === seg.records;
      const isCur = this.cur?.seg === seg;
      if (!settled || (isCur && (this.writer.busy || seg.records === 0))) continue;
      if (isCur) await this.closeCurrent();
      try {
        await closeReader(seg);
        await rm(seg.path, { force: true });
        this.diskBytes -= seg.size;
        gone.add(seg);
      } catch (err) {
        this.logger.warn({ segment: seg.path, error: (err as Error).message }, 'persistent queue: cannot delete a delivered segment');
      }
    }
    if (gone.size > 0) this.segments = this.segments.filter((s) => !gone.has(s));
    this.pump();
  }

  // ---------- shutdown ----------

  close(): void {
    this.closed = true;
    this.closing.abort();
    for (const t of this.takers.splice(0)) t(undefined);
    for (const b of this.blocked.splice(0)) b.reject(ConsumerError.retryable('exporter is shutting down'));
  }

  async stop(): Promise<void> {
    this.close();
    await this.writer.idle();
    await this.acker.idle();
    await this.acker.run();
    await this.closeCurrent();
    for (const seg of this.segments) await closeReader(seg);
    await this.ackFile?.close().catch(() => {});
    await this.client.close();
  }
}
