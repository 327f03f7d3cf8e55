// Reading /proc files as bytes: one pread into a reused buffer on a descriptor kept open across
// scrapes, and number parsing straight from those bytes (no string, no split, no regexp).
import { closeSync, openSync, readSync } from 'node:fs';

/** A /proc file kept open; `read()` re-reads it from offset 0 with one pread. */
export class KeptFile {
  private fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  /** Bytes read into `buf` (the file's whole content when it fits); throws ESRCH once the process is gone. */
  read(buf: Buffer): number {
    return readSync(this.fd, buf, 0, buf.length, 0);
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = -1;
  }
}

/** Opens, reads once into `buf` and closes (for files not worth keeping open). */
export function readOnce(path: string, buf: Buffer): number {
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
}

const SPACE = 32;
const MINUS = 45;
const ZERO = 48;

/**
 * The space-separated fields of /proc/<pid>/stat after `(comm)` (which may hold spaces and
 * parens, hence the last `)`), as numbers into `out`: out[0] is the state (its char code),
 * out[i] the i-th field after it (ppid = 1, utime = 11, starttime = 19, rss = 21, …). Returns
 * the offset of the last `)` (comm is between the first `(` and it), or -1 when malformed.
 */
export function parseStatBytes(buf: Buffer, len: number, out: Float64Array): number {
  let close = len - 1;
  while (close > 0 && buf[close] !== 41) close--; // ')'
  const open = buf.indexOf(40); // '('
  if (open < 0 || close <= open || close + 2 >= len) return -1;
  let i = close + 2;
  out[0] = buf[i]!;
  i += 2;
  let f = 1;
  const n = out.length;
  while (i < len && f < n) {
    let neg = false;
    if (buf[i] === MINUS) {
      neg = true;
      i++;
    }
    let v = 0;
    let c = buf[i]!;
    while (c >= ZERO && c <= ZERO + 9) {
      v = v * 10 + (c - ZERO);
      c = buf[++i]!;
    }
    out[f++] = neg ? -v : v;
    while (i < len && buf[i] !== SPACE) i++;
    i++;
  }
  for (; f < n; f++) out[f] = 0;
  return close;
}

/**
 * `key: value` lines (/proc/<pid>/io): the number after the first ':' of each line, in file
 * order, into `out`. Returns the number of lines parsed.
 */
export function parseColonValues(buf: Buffer, len: number, out: Float64Array): number {
  let i = 0;
  let k = 0;
  while (i < len && k < out.length) {
    while (i < len && buf[i] !== 58) i++; // ':'
    i++;
    while (i < len && buf[i] === SPACE) i++;
    let v = 0;
    let c = buf[i]!;
    while (i < len && c >= ZERO && c <= ZERO + 9) {
      v = v * 10 + (c - ZERO);
      c = buf[++i]!;
    }
    out[k++] = v;
    while (i < len && buf[i] !== 10) i++;
    i++;
  }
  return k;
}

/** The number after `key` (e.g. "Uid:\t") at a line start in `buf`, or undefined. */
export function numberAfter(buf: Buffer, len: number, key: string): number | undefined {
  let at = buf.indexOf(key, 0, 'latin1');
  while (at > 0 && buf[at - 1] !== 10) at = buf.indexOf(key, at + 1, 'latin1');
  if (at < 0 || at >= len) return undefined;
  let i = at + key.length;
  while (i < len && (buf[i] === SPACE || buf[i] === 9)) i++;
  let v = 0;
  let digits = 0;
  for (let c = buf[i]!; i < len && c >= ZERO && c <= ZERO + 9; c = buf[++i]!, digits++) v = v * 10 + (c - ZERO);
  return digits ? v : undefined;
}

/**
 * Text files read again and again (/proc/stat, /proc/meminfo, …): each stays open and is
 * re-read from offset 0 with one pread (two when it outgrew the buffer), instead of
 * open + read + close. A read that fails closes it; the next read reopens.
 */
export class KeptTexts {
  private files = new Map<string, KeptFile>();
  private buf = Buffer.allocUnsafe(16 * 1024);

  read(path: string): string {
    let f = this.files.get(path);
    if (!f) this.files.set(path, (f = new KeptFile(path)));
    try {
      for (;;) {
        const n = f.read(this.buf);
        if (n < this.buf.length) return this.buf.toString('utf8', 0, n);
        this.buf = Buffer.allocUnsafe(this.buf.length * 2);
      }
    } catch (e) {
      f.close();
      this.files.delete(path);
      throw e;
    }
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
  }
}
