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

/**
 * Content whose file was truncated (copytruncate) and whose copy has not been found yet: the
 * copy continues at `offset`. Kept in checkpoints so that a crash in between does not make the
 * copy be read again from its start.
 */
export interface OrphanCheckpoint {
  fp: Buffer;
  offset: number;
}

export interface Checkpoints {
  files: FileCheckpoint[];
  orphans: OrphanCheckpoint[];
}

interface Stored {
  v: 1;
  files: { dev: number; ino: number; fp: string; offset: number; path: string }[];
  /** Added later; readers of v1 without it ignore it. */
  orphans?: { fp: string; offset: number }[];
}

export function encodeCheckpoints(files: FileCheckpoint[], orphans: OrphanCheckpoint[] = []): string {
  const s: Stored = {
    v: 1,
    files: files.map((f) => ({ dev: f.dev, ino: f.ino, fp: f.fp.toString('base64'), offset: f.offset, path: f.path })),
  };
  if (orphans.length) s.orphans = orphans.map((o) => ({ fp: o.fp.toString('base64'), offset: o.offset }));
  return JSON.stringify(s);
}

export function decodeCheckpoints(raw: Buffer | undefined): Checkpoints | undefined {
  if (!raw) return undefined;
  const s = JSON.parse(raw.toString('utf8')) as Stored;
  if (s.v !== 1 || !Array.isArray(s.files)) throw new Error('unrecognised checkpoint format');
  return {
    files: s.files.map((f) => ({ dev: f.dev, ino: f.ino, fp: Buffer.from(f.fp, 'base64'), offset: f.offset, path: f.path })),
    orphans: (Array.isArray(s.orphans) ? s.orphans : []).map((o) => ({ fp: Buffer.from(o.fp, 'base64'), offset: o.offset })),
  };
}

export class CheckpointStore {
  /** One write going, later saves share the next one (which takes the newest snapshot). */
  private readonly writer = new Coalescer(() => this.write());
  /** Completed writes (for tests and self-metrics). */
  saves = 0;

  constructor(
    private readonly client: StorageClient | undefined,
    private readonly snapshot: () => Checkpoints,
  ) {}

  get durable(): boolean {
    return this.client !== undefined;
  }

  async load(): Promise<Checkpoints | undefined> {
    return this.client ? decodeCheckpoints(await this.client.get(KEY)) : undefined;
  }

  /** Resolves once a write that began after this call has completed. */
  save(): Promise<void> {
    if (!this.client) return Promise.resolve();
    return this.writer.run();
  }

  private async write(): Promise<void> {
    const snap = this.snapshot();
    await this.client!.set(KEY, encodeCheckpoints(snap.files, snap.orphans));
    this.saves++;
  }
}
