// Splits file bytes into lines without copying: one growable buffer, newline search with
// Buffer.indexOf, and a decode per line (the only per-line allocation besides the record).
export type Encoding = 'utf-8' | 'utf8' | 'latin1' | 'iso-8859-1' | 'utf-16le' | 'utf-16be' | 'ascii';

/** Receives one line: its text, the file offset just past its newline, whether it was cut. */
export type LineSink = (text: string, endOffset: number, truncated: boolean) => void;

const MIN_READ = 64 * 1024;

export class LineSplitter {
  private buf: Buffer;
  private start = 0;
  private end = 0;
  /** File offset of buf[0]. */
  private base = 0;
  /** Inside a line longer than max_log_size whose head was already emitted. */
  private skipping = false;
  private readonly unit: 1 | 2;
  private readonly be: boolean;
  private readonly enc: BufferEncoding;
  private readonly maxLog: number;

  constructor(
    encoding: Encoding,
    maxLogSize: number,
    private readonly readSize = 1024 * 1024,
  ) {
    this.unit = encoding === 'utf-16le' || encoding === 'utf-16be' ? 2 : 1;
    this.be = encoding === 'utf-16be';
    this.enc = encoding === 'latin1' || encoding === 'iso-8859-1' ? 'latin1' : this.unit === 2 ? 'utf16le' : 'utf8';
    // Keep truncation on a character unit boundary.
    this.maxLog = Math.max(this.unit, maxLogSize - (maxLogSize % this.unit));
    this.buf = Buffer.allocUnsafe(Math.min(readSize, Math.max(MIN_READ, this.maxLog + this.unit)));
  }

  /** Offset of the next byte to read from the file. */
  get readPos(): number {
    return this.base + this.end;
  }

  /** Bytes buffered that do not yet form a complete line. */
  get pendingBytes(): number {
    return this.end - this.start;
  }

  /** Forget buffered bytes and continue at `offset`. */
  reset(offset: number): void {
    this.base = offset;
    this.start = this.end = 0;
    this.skipping = false;
  }

  /** Where the next read goes: compacts or grows the buffer as needed. */
  writable(): { buf: Buffer; off: number; len: number } {
    if (this.start === this.end) {
      this.base += this.end;
      this.start = this.end = 0;
    }
    if (this.buf.length - this.end < MIN_READ && this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    const limit = this.maxLog + this.unit;
    if (this.buf.length - this.end < MIN_READ && this.buf.length < Math.max(limit, this.readSize)) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(this.buf.length * 2, MIN_READ), Math.max(limit, this.readSize)));
      this.buf.copy(grown, 0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
      this.buf = grown;
    }
    return { buf: this.buf, off: this.end, len: this.buf.length - this.end };
  }

  commit(n: number): void {
    this.end += n;
  }

  private decode(s: number, e: number): string {
    let t: string;
    if (!this.be) t = this.buf.toString(this.enc, s, e);
    else t = Buffer.from(this.buf.subarray(s, e)).swap16().toString('utf16le');
    // A byte order mark opens the file; it is not part of the first line.
    return this.base + s === 0 && t.charCodeAt(0) === 0xfeff && this.enc !== 'latin1' ? t.slice(1) : t;
  }

  private findNewline(from: number): number {
    const b = this.buf;
    if (this.unit === 1) {
      const i = b.indexOf(10, from);
      return i >= this.end || i < 0 ? -1 : i;
    }
    // UTF-16: a newline is the code unit 0x000A on an even distance from the line start.
    let p = from;
    while (p + 1 < this.end) {
      const i = b.indexOf(10, p);
      if (i < 0 || i + 1 > this.end) return -1;
      const rel = i - this.start;
      if (this.be) {
        if (rel % 2 === 1 && b[i - 1] === 0) return i - 1;
      } else if (rel % 2 === 0 && i + 1 < this.end && b[i + 1] === 0) return i;
      p = i + 1;
    }
    return -1;
  }

  private isCR(pos: number): boolean {
    const b = this.buf;
    if (this.unit === 1) return b[pos] === 13;
    return this.be ? b[pos] === 0 && b[pos + 1] === 13 : b[pos] === 13 && b[pos + 1] === 0;
  }

  /**
   * Emit complete lines (at most `max`); a line longer than max_log_size is emitted once,
   * cut, and the rest of it skipped. Returns the number of lines emitted.
   */
  drain(sink: LineSink, max: number): number {
    let n = 0;
    const u = this.unit;
    while (n < max && this.start < this.end) {
      const nl = this.findNewline(this.start);
      if (nl < 0) {
        if (this.skipping) {
          this.base += this.end;
          this.start = this.end = 0;
        } else if (this.end - this.start > this.maxLog) {
          sink(this.decode(this.start, this.start + this.maxLog), this.base + this.start + this.maxLog, true);
          n++;
          this.skipping = true;
          this.base += this.end;
          this.start = this.end = 0;
        }
        return n;
      }
      const next = nl + u;
      if (this.skipping) {
        this.skipping = false;
        this.start = next;
        continue;
      }
      let lineEnd = nl;
      if (lineEnd - this.start >= u && this.isCR(lineEnd - u)) lineEnd -= u;
      if (lineEnd - this.start > this.maxLog) {
        sink(this.decode(this.start, this.start + this.maxLog), this.base + next, true);
      } else {
        sink(this.decode(this.start, lineEnd), this.base + next, false);
      }
      n++;
      this.start = next;
    }
    return n;
  }

  /** Emit the buffered partial line (no newline yet), e.g. after force_flush_period. */
  flushPartial(sink: LineSink): boolean {
    if (this.start >= this.end) return false;
    if (this.skipping) {
      this.skipping = false;
      this.base += this.end;
      this.start = this.end = 0;
      return false;
    }
    let e = this.end;
    if (this.unit === 2 && (e - this.start) % 2 === 1) e--; // never split a code unit
    if (e <= this.start) return false;
    sink(this.decode(this.start, e), this.base + e, false);
    this.start = e;
    return true;
  }
}
