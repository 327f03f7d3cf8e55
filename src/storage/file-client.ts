import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StorageClient } from './storage.js';
import { fsyncDir, safeName, writeFileAtomic } from './fsutil.js';

/**
 * A StorageClient over a directory: one file per key under `kv/` (atomic replace), and `data/`
 * as the client's private directory. Writes to one key are serialized so that the last `set`
 * called is the one that stays.
 */
export class FileStorageClient implements StorageClient {
  readonly directory: string;
  private readonly kvDir: string;
  private chains = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(
    readonly root: string,
    readonly fsync: boolean,
    private readonly onClose?: () => void,
  ) {
    this.directory = join(root, 'data');
    this.kvDir = join(root, 'kv');
  }

  async open(mode: number): Promise<void> {
    const created = await mkdir(this.root, { recursive: true, mode });
    await mkdir(this.kvDir, { recursive: true, mode });
    await mkdir(this.directory, { recursive: true, mode });
    // New directory entries must survive a power loss like the files in them.
    if (this.fsync && created !== undefined) {
      await fsyncDir(this.root);
      await fsyncDir(dirname(this.root));
    }
  }

  private file(key: string): string {
    return join(this.kvDir, safeName(key));
  }

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`storage client ${this.root} is closed`));
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => {});
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }

  async get(key: string): Promise<Buffer | undefined> {
    await this.chains.get(key);
    try {
      return await readFile(this.file(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  set(key: string, value: Uint8Array | string): Promise<void> {
    return this.serial(key, () => writeFileAtomic(this.file(key), value, this.fsync));
  }

  delete(key: string): Promise<void> {
    return this.serial(key, async () => {
      await rm(this.file(key), { force: true });
      if (this.fsync) await fsyncDir(this.kvDir);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.chains.values());
    this.closed = true;
    this.onClose?.();
  }
}
