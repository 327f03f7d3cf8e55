import type { ComponentId, Extension, Kind } from './component.js';
import type { Signal } from '../pdata/types.js';

/**
 * Durable state for one component, from a storage extension (file_storage): small key/value
 * records (checkpoints, cursors, templates) written atomically (write, fsync, rename), and a
 * private directory for larger structures (the persistent queue's segment files). The contract
 * lives here; `src/storage` implements it.
 */
export interface StorageClient {
  get(key: string): Promise<Buffer | undefined>;
  /** Atomic and durable: after it resolves, a crash leaves either the old or the new value. */
  set(key: string, value: Uint8Array | string): Promise<void>;
  delete(key: string): Promise<void>;
  /** A directory owned by this client (created on demand). */
  readonly directory: string;
  /**
   * false when the extension was configured `fsync: false`: users of `directory` may skip their
   * own fsyncs too (data then survives a crash of telemd, not a power loss).
   */
  readonly fsync?: boolean;
  close(): Promise<void>;
}

/** An extension that hands out storage clients (file_storage). */
export interface StorageExtension extends Extension {
  getClient(kind: Kind, owner: ComponentId, signal?: Signal): Promise<StorageClient>;
}

export function isStorageExtension(e: Extension | undefined): e is StorageExtension {
  return !!e && typeof (e as Partial<StorageExtension>).getClient === 'function';
}
