// Reading an explicitly included .gz file: decompressed as a stream; offsets (and so
// checkpoints) count decompressed bytes. Rotated .gz files do not grow, so one pass suffices.
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

export class GzipSource {
  private iter: AsyncIterator<Buffer> | undefined;
  private left: Buffer | undefined;
  /** Decompressed offset of the next byte `read` returns. */
  private pos = 0;
  done = false;

  /** Reads through the descriptor the access policy checked, never by path again. */
  constructor(private readonly fh: FileHandle) {}

  /** Fill `buf[off, off+len)` with decompressed bytes starting at `at`; 0 at the end. */
  async read(buf: Buffer, off: number, len: number, at: number): Promise<number> {
    if (at !== this.pos || !this.iter) this.restart();
    // Skip to `at` after a rewind (a refused batch is read again).
    while (this.pos < at) {
      const c = await this.next();
      if (!c) return 0;
      const n = Math.min(c.length, at - this.pos);
      this.pos += n;
      if (n < c.length) this.left = c.subarray(n);
    }
    const c = await this.next();
    if (!c) {
      this.done = true;
      return 0;
    }
    const n = Math.min(len, c.length);
    c.copy(buf, off, 0, n);
    if (n < c.length) this.left = c.subarray(n);
    this.pos += n;
    return n;
  }

  private restart(): void {
    void this.iter?.return?.();
    const s = this.fh.createReadStream({ start: 0, autoClose: false }).pipe(createGunzip());
    this.iter = s[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.left = undefined;
    this.pos = 0;
    this.done = false;
  }

  private async next(): Promise<Buffer | undefined> {
    if (this.left) {
      const l = this.left;
      this.left = undefined;
      return l;
    }
    const r = await this.iter!.next();
    return r.done ? undefined : r.value;
  }

  close(): void {
    void this.iter?.return?.();
    this.iter = undefined;
  }
}
