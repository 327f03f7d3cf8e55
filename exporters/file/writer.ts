// Append-only writer with group commit that waits for no clock: a write starts as soon as the
// previous write + fdatasync is done, and takes everything that arrived meanwhile, so an idle
// exporter acknowledges at once and a busy one pays one fsync per group, not per batch.
import { promises as fsp } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { fsyncDir } from '../../src/storage/fsutil.js';
import { Coalescer } from '../../src/util/coalescer.js';
import { compressFile, suffixOf } from './compress.js';
import { completeLength } from './tail.js';

interface Pending {
  chunk: Buffer;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Directories the exporter creates: not readable by other users (telemetry may be sensitive). */
const DIR_MODE = 0o750;

export class RotatingWriter {
  private fh?: fsp.FileHandle;
  private size = 0;
  private pending: Pending[] = [];
  private readonly committer = new Coalescer(() => this.flushNow());
  /** fsync: false — written data not yet fsync'd, and the timer that bounds how long it stays so. */
  private unsynced = false;
  private syncDue = false;
  private syncTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly cfg: Config,
    private readonly logger: Logger,
    /** Group commits done (write + fdatasync), for the exporter's self-metric. */
    private readonly onSync: () => void = () => {},
  ) {}

  private get maxBytes(): number {
    return this.cfg.rotation ? this.cfg.rotation.max_megabytes * 1024 * 1024 : Infinity;
  }

  async open(): Promise<void> {
    try {
      await fsp.mkdir(dirname(this.cfg.path), { recursive: true, mode: DIR_MODE });
      this.fh = await fsp.open(this.cfg.path, this.cfg.append ? 'a+' : 'w', 0o640);
      this.size = (await this.fh.stat()).size;
    } catch (err) {
      throw new Error(`cannot open output file ${this.cfg.path}: ${(err as Error).message}`, { cause: err });
    }
    const whole = await completeLength(this.fh, this.size, this.cfg.format);
    if (whole < this.size) {
      this.logger.warn(
        { path: this.cfg.path, cut_bytes: this.size - whole },
        'output file ended in a partial record (a write cut short by a crash); cut back to the last complete one (it was never acknowledged and is sent again)',
      );
      await this.fh.truncate(whole);
      if (this.cfg.fsync) await this.fh.datasync();
      this.size = whole;
    }
  }

  /** Resolves once `chunk` is written (and fsync'd, with `fsync`). */
  write(chunk: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new Error('file exporter is closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ chunk, resolve, reject });
      void this.committer.run();
    });
  }

  /** Writes everything pending; flushes are serialized. */
  flush(): Promise<void> {
    return this.committer.run();
  }

  /** One group commit; never throws (a failure refuses the group's writes). */
  private async flushNow(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    let done = 0;
    try {
      // Cut the group where the file would pass max_megabytes: what is before the cut is
      // written, fsync'd and acknowledged, then the file rotates and the rest goes on.
      let rotatedAt = -1;
      for (let from = 0; from < batch.length; ) {
        let to = from;
        let bytes = 0;
        // A chunk always goes into an empty file (or one just rotated), even a chunk over the limit.
        const first = this.size === 0 || rotatedAt === from;
        while (to < batch.length && (this.size + bytes + batch[to]!.chunk.length <= this.maxBytes || (first && to === from))) {
          bytes += batch[to]!.chunk.length;
          to++;
        }
        if (to === from) {
          await this.rotate();
          rotatedAt = from;
          continue;
        }
        if (this.size + bytes > this.maxBytes)
          this.logger.warn(
            { path: this.cfg.path, batch_bytes: bytes, max_bytes: this.maxBytes },
            'one batch is larger than rotation.max_megabytes: written whole, so this file exceeds the limit once',
          );
        await this.append(batch.slice(from, to), bytes);
        for (; done < to; done++) batch[done]!.resolve();
        from = to;
      }
    } catch (err) {
      // Nothing more is acknowledged: the senders get a retryable refusal and keep their data. A
      // partial write (full disk) is cut off so the next line does not glue onto half a line.
      await this.fh?.truncate(this.size).catch(() => undefined);
      for (; done < batch.length; done++) batch[done]!.reject(err);
    }
    if (this.syncDue) await this.syncIfDue();
  }

  /** Write `part` (one writev, no concatenated copy) and fsync it. */
  private async append(part: Pending[], bytes: number): Promise<void> {
    // Reopen if an earlier rotation or open failed.
    const fh = (this.fh ??= await fsp.open(this.cfg.path, 'a', 0o640));
    // It may write short near a full disk without an error: continue with what is left.
    let bufs = part.map((p) => p.chunk);
    let left = bytes;
    while (left > 0) {
      const { bytesWritten } = await fh.writev(bufs);
      if (bytesWritten <= 0) throw new Error('write made no progress');
      left -= bytesWritten;
      if (left > 0) bufs = rest(bufs, bytesWritten);
    }
    this.size += bytes;
    if (this.cfg.fsync) {
      await fh.datasync();
      this.onSync();
    } else this.scheduleSync();
  }

  // fsync: false acknowledges from the page cache; the file is still fsync'd within
  // flush_interval, so that a power loss takes at most that much acknowledged data.
  private scheduleSync(): void {
    this.unsynced = true;
    if (this.syncTimer || this.cfg.flush_interval <= 0) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.syncDue = true;
      void this.committer.run();
    }, this.cfg.flush_interval);
    this.syncTimer.unref();
  }

  private async syncIfDue(): Promise<void> {
    this.syncDue = false;
    if (!this.unsynced || !this.fh) return;
    this.unsynced = false;
    await this.fh.datasync().then(this.onSync, (err: unknown) => this.logger.warn({ err: (err as Error).message, path: this.cfg.path }, 'fsync of the output file failed'));
  }

  private backupName(): string {
    const d = new Date();
    const iso = this.cfg.rotation?.localtime
      ? new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 23)
      : d.toISOString().slice(0, 23);
    const ext = extname(this.cfg.path);
    const base = basename(this.cfg.path, ext);
    return join(dirname(this.cfg.path), `${base}-${iso.replace(/:/g, '-')}${ext}`);
  }

  private async rotate(): Promise<void> {
    // What was written since the last fsync (fsync: false) goes to disk before its file is renamed.
    await this.syncIfDue();
    const backup = this.backupName();
    await this.fh?.close();
    this.fh = undefined;
    let rotated = true;
    try {
      await fsp.rename(this.cfg.path, backup);
    } catch (err) {
      // Gone already (removed or moved by someone else): nothing to rotate, write a new file.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      rotated = false;
    } finally {
      // Whatever happened to the rename, keep an open file: a failed rotation must not wedge the
      // exporter (the batch is refused, retried, and the next flush tries to rotate again).
      this.fh = await fsp.open(this.cfg.path, 'a', 0o640);
      this.size = (await this.fh.stat()).size;
    }
    if (this.cfg.fsync) await fsyncDir(dirname(this.cfg.path));
    if (!rotated) {
      this.logger.warn({ path: this.cfg.path }, 'output file vanished before rotation; writing a new one');
      return;
    }
    this.logger.info({ backup }, 'rotated output file');
    void this.compressAndPrune(backup).catch((err: unknown) => this.logger.warn({ err }, 'post-rotation housekeeping failed'));
  }

  private async compressAndPrune(backup: string): Promise<void> {
    if (this.cfg.compression !== 'none') {
      const out = await compressFile(backup, this.cfg.compression, this.cfg.compression_level);
      // The compressed copy is durable before the original goes (data was acknowledged).
      const h = await fsp.open(out, 'r');
      await h.sync().finally(() => h.close());
      await fsp.unlink(backup);
      await fsyncDir(dirname(backup));
    }
    const r = this.cfg.rotation;
    if (!r) return;
    const dir = dirname(this.cfg.path);
    const ext = extname(this.cfg.path);
    const base = basename(this.cfg.path, ext);
    const suffixes = [ext, `${ext}${suffixOf('gzip')}`, `${ext}${suffixOf('zstd')}`];
    const backups = (await fsp.readdir(dir))
      .filter((f) => f.startsWith(`${base}-`) && suffixes.some((s) => f.endsWith(s)))
      .sort()
      .reverse();
    const cutoff = r.max_days > 0 ? Date.now() - r.max_days * 86_400_000 : 0;
    for (const [i, f] of backups.entries()) {
      const full = join(dir, f);
      const old = cutoff > 0 && (await fsp.stat(full)).mtimeMs < cutoff;
      if ((r.max_backups > 0 && i >= r.max_backups) || old) await fsp.unlink(full);
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.syncDue = true;
    await this.committer.run(); // the last fsync of fsync: false
    await this.fh?.close();
    this.fh = undefined;
  }
}

/** What remains of `bufs` after the first `n` bytes. */
function rest(bufs: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < bufs.length && n >= bufs[i]!.length) n -= bufs[i++]!.length;
  const out = bufs.slice(i);
  if (out.length && n > 0) out[0] = out[0]!.subarray(n);
  return out;
}
