// Append-only writer with group commit: every consume() waiting on a flush is acknowledged by
// one write + fdatasync, so durability costs one fsync per flush interval, not per batch.
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { fsyncDir } from '../../src/storage/fsutil.js';

interface Pending {
  chunk: Buffer;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class RotatingWriter {
  private fh?: fsp.FileHandle;
  private size = 0;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private queued = false;
  private closed = false;

  constructor(
    private readonly cfg: Config,
    private readonly logger: Logger,
  ) {}

  async open(): Promise<void> {
    try {
      await fsp.mkdir(dirname(this.cfg.path), { recursive: true });
      this.fh = await fsp.open(this.cfg.path, this.cfg.append ? 'a' : 'w', 0o640);
      this.size = (await this.fh.stat()).size;
    } catch (err) {
      throw new Error(`cannot open output file ${this.cfg.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  write(chunk: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new Error('file exporter is closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ chunk, resolve, reject });
      this.pendingBytes += chunk.length;
      // Without fsync a write is only a copy into the page cache: do it as soon as the previous
      // one is done (writes coalesce behind it) rather than holding acknowledgements for a timer.
      if (this.pendingBytes >= 4 << 20 || this.cfg.flush_interval === 0 || !this.cfg.fsync) this.flushSoon(0);
      else this.flushSoon(this.cfg.flush_interval);
    });
  }

  private flushSoon(ms: number): void {
    if (ms === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  /** Writes everything pending; flushes are serialized. */
  flush(): Promise<void> {
    // One flush queued behind the running one takes everything pending when it starts.
    if (this.queued) return this.flushing;
    this.queued = true;
    this.flushing = this.flushing.then(() => {
      this.queued = false;
      return this.flushNow();
    });
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      const max = this.cfg.rotation ? this.cfg.rotation.max_megabytes * 1024 * 1024 : Infinity;
      const bytes = batch.reduce((n, p) => n + p.chunk.length, 0);
      if (this.size > 0 && this.size + bytes > max) await this.rotate();
      // Reopen if an earlier rotation or open failed.
      const fh = (this.fh ??= await fsp.open(this.cfg.path, 'a', 0o640));
      // One writev of every pending chunk (no concatenated copy); it may write short near a
      // full disk without an error: continue with what is left until all is written.
      let bufs = batch.map((p) => p.chunk);
      let left = bytes;
      while (left > 0) {
        const { bytesWritten } = await fh.writev(bufs);
        if (bytesWritten <= 0) throw new Error('write made no progress');
        left -= bytesWritten;
        if (left > 0) bufs = rest(bufs, bytesWritten);
      }
      this.size += bytes;
      if (this.cfg.fsync) await fh.datasync();
      for (const p of batch) p.resolve();
    } catch (err) {
      // Nothing was acknowledged: the senders get a retryable refusal and keep their data. A
      // partial write (full disk) is cut off so the next line does not glue onto half a line.
      await this.fh?.truncate(this.size).catch(() => undefined);
      for (const p of batch) p.reject(err);
    }
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
      const gz = `${backup}.gz`;
      await pipeline(createReadStream(backup), createGzip(), createWriteStream(gz, { mode: 0o640 }));
      // The compressed copy is durable before the original goes (data was acknowledged).
      const h = await fsp.open(gz, 'r');
      await h.sync().finally(() => h.close());
      await fsp.unlink(backup);
      await fsyncDir(dirname(backup));
    }
    const r = this.cfg.rotation;
    if (!r) return;
    const dir = dirname(this.cfg.path);
    const ext = extname(this.cfg.path);
    const base = basename(this.cfg.path, ext);
    const backups = (await fsp.readdir(dir))
      .filter((f) => f.startsWith(`${base}-`) && (f.endsWith(ext) || f.endsWith(`${ext}.gz`)))
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    this.closed = true;
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
