// Persisted read positions: one record per known file (device, inode, fingerprint, offset),
// written through file_storage. Saves are coalesced: while one write is in progress, later
// callers share the next one, which carries the newest state.
import type { StorageClient } from '../../src/storage/storage.js';
import { Coalescer } from '../../src/util/coalescer.js';

export interface FileCheckpoint {
  dev: number;
  ino: number;
  /** Leading bytes of the file (up to fingerprint_size), base64 in storage. */
  fp: Buffer;
  offset: number;
  path: string;
}

const KEY = 'file_checkpoints';

interface Stored {
  v: 1;
  files: { dev: number; ino: number; fp: string; offset: number; path: string }[];
}

export function encodeCheckpoints(files: FileCheckpoint[]): string {
  const s: Stored = {
    v: 1,
    files: files.map((f) => ({ dev: f.dev, ino: f.ino, fp: f.fp.toString('base64'), offset: f.offset, path: f.path })),
  };
  return JSON.stringify(s);
}

export function decodeCheckpoints(raw: Buffer | undefined): FileCheckpoint[] | undefined {
  if (!raw) return undefined;
  const s = JSON.parse(raw.toString('utf8')) as Stored;
  if (s.v !== 1 || !Array.isArray(s.files)) throw new Error('unrecognised checkpoint format');
  return s.files.map((f) => ({ dev: f.dev, ino: f.ino, fp: Buffer.from(f.fp, 'base64'), offset: f.offset, path: f.path }));
}

export class CheckpointStore {
  /** One write going, later saves share the next one (which takes the newest snapshot). */
  private readonly writer = new Coalescer(() => this.write());
  /** Completed writes (for tests and self-metrics). */
  saves = 0;

  constructor(
    private readonly client: StorageClient | undefined,
    private readonly snapshot: () => FileCheckpoint[],
  ) {}

  get durable(): boolean {
    return this.client !== undefined;
  }

  async load(): Promise<FileCheckpoint[] | undefined> {
    return this.client ? decodeCheckpoints(await this.client.get(KEY)) : undefined;
  }

  /** Resolves once a write that began after this call has completed. */
  save(): Promise<void> {
    if (!this.client) return Promise.resolve();
    return this.writer.run();
  }

  private async write(): Promise<void> {
    await this.client!.set(KEY, encodeCheckpoints(this.snapshot()));
    this.saves++;
  }
}
