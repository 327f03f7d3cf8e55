// One file being read: its identity (device, inode, fingerprint), its open handle, the
// splitter's read position and the acknowledged position that checkpoints persist.
import { realpath, type FileHandle } from 'node:fs/promises';
import { LineSplitter, type Encoding } from './splitter.js';
import type { Combiner } from './multiline.js';
import type { GzipSource } from './gzip.js';
import { ReadAhead } from './read-ahead.js';

export interface InFlight {
  end: number;
  items: number;
  state: 'pending' | 'ok' | 'retry' | 'dropped';
  retryAfterMs?: number;
  done: Promise<void>;
}

export class TrackedFile {
  fh: FileHandle | undefined;
  /** Acknowledged offset: everything before it reached the pipeline. */
  acked: number;
  /** Batches handed downstream and not yet settled, oldest first. */
  window: InFlight[] = [];
  /** Poll number in which the glob last matched this file. */
  seenPoll = 0;
  /** Last time bytes were read (for force_flush_period and idling). */
  lastData = Date.now();
  atEof = false;
  /** Size and mtime at the last truncation check. */
  lastSize = -1;
  lastMtime = -1;
  /** A batch was refused (retryable): reading waits, then rewinds to `acked`. */
  retry = false;
  combiner!: Combiner;
  /** Set for an explicitly included .gz file: read decompressed. */
  gz: GzipSource | undefined;
  readonly splitter: LineSplitter;
  name: string;

  constructor(
    readonly dev: number,
    readonly ino: number,
    public path: string,
    public fp: Buffer,
    offset: number,
    encoding: Encoding,
    maxLogSize: number,
  ) {
    this.acked = offset;
    this.splitter = new LineSplitter(encoding, maxLogSize);
    this.splitter.reset(offset);
    this.name = baseName(path);
  }

  get key(): string {
    return fileKey(this.dev, this.ino);
  }

  private ahead: ReadAhead | undefined;

  /** Take the descriptor the access policy opened (`target`: the path with symlinks resolved). */
  attach(fh: FileHandle, target: string): void {
    this.fh = fh;
    this.ahead = new ReadAhead(fh);
    this.resolvedPath = target;
  }

  /** Read file bytes at `pos` (read ahead while a backlog is being worked off). */
  read(dst: Buffer, off: number, len: number, pos: number): Promise<number> {
    return this.ahead!.read(dst, off, len, pos);
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    this.ahead = undefined;
    this.gz?.close();
    await fh?.close().catch(() => {});
  }

  /** Continue from `offset`, dropping buffered and pending lines (they will be re-read). */
  rewind(offset: number): void {
    this.ahead?.reset();
    this.splitter.reset(offset);
    this.combiner.reset();
    this.acked = offset;
  }

  /** The path with symlinks resolved (for the *_resolved attributes). */
  resolvedPath = '';

  async resolve(): Promise<void> {
    this.resolvedPath = await realpath(this.path).catch(() => this.path);
  }

  setPath(p: string): void {
    this.path = p;
    this.name = baseName(p);
  }
}

export function fileKey(dev: number, ino: number): string {
  return `${dev}:${ino}`;
}

export function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** Read the first `n` bytes of an open file (fewer if it is shorter). */
export async function readHead(fh: FileHandle, n: number): Promise<Buffer> {
  const b = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const { bytesRead } = await fh.read(b, got, n - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return b.subarray(0, got);
}

/** `head` continues what `fp` recorded (fp is a prefix of head, or head of fp). */
export function sameStart(fp: Buffer, head: Buffer): boolean {
  const n = Math.min(fp.length, head.length);
  return fp.subarray(0, n).equals(head.subarray(0, n));
}

/** `head` holds all of `fp` at its start (a longer or equal read of the same content). */
export function startsWithAll(head: Buffer, fp: Buffer): boolean {
  return head.length >= fp.length && sameStart(fp, head);
}
