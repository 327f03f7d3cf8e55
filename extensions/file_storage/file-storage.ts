import { access, mkdir, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ComponentId, CreateSettings, Kind } from '../../src/component/component.js';
import type { Signal } from '../../src/pdata/types.js';
import type { StorageClient, StorageExtension } from '../../src/storage/storage.js';
import { FileStorageClient } from '../../src/storage/file-client.js';
import { safeName } from '../../src/storage/fsutil.js';
import type { Config } from './config.js';
import { acquireDirLock } from '../../src/storage/lock.js';

/** Same naming as the Collector: `<kind>_<type>_<name>[_<signal>]`. */
export function clientName(kind: Kind, owner: ComponentId, signal?: Signal): string {
  const parts = [kind, owner.type, owner.name].map(safeName);
  if (owner.name === '') parts[2] = '';
  return parts.join('_') + (signal ? `_${signal}` : '');
}

export class FileStorage implements StorageExtension {
  readonly directory: string;
  private readonly mode: number;
  private clients = new Map<string, FileStorageClient>();
  private unlock?: () => Promise<void>;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
  ) {
    this.directory = resolve(cfg.directory);
    this.mode = parseInt(cfg.directory_permissions, 8);
    set.telemetry.observe('telemd_storage_clients', 'Open storage clients', {}, () => this.clients.size);
  }

  async start(): Promise<void> {
    const exists = await stat(this.directory).then(
      (st) => st.isDirectory(),
      () => false,
    );
    if (!exists) {
      if (!this.cfg.create_directory)
        throw new Error(`file_storage directory ${this.directory} does not exist (create it or set create_directory: true)`);
      try {
        await mkdir(this.directory, { recursive: true, mode: this.mode });
      } catch (err) {
        throw new Error(`cannot create file_storage directory ${this.directory}: ${(err as Error).message}`);
      }
    }
    try {
      await access(this.directory, constants.W_OK | constants.R_OK | constants.X_OK);
    } catch {
      throw new Error(`file_storage directory ${this.directory} is not writable by uid ${process.getuid?.()}`);
    }
    this.unlock = await acquireDirLock(this.directory, (msg, fields) => this.set.logger.warn(fields, msg));
    this.set.logger.info({ directory: this.directory, fsync: this.cfg.fsync }, 'file_storage ready');
  }

  async getClient(kind: Kind, owner: ComponentId, signal?: Signal): Promise<StorageClient> {
    if (!this.unlock) throw new Error(`file_storage ${this.set.id.id} is not started`);
    const name = clientName(kind, owner, signal);
    if (this.clients.has(name))
      throw new Error(`storage client ${name} is already open in ${this.set.id.id} (one owner per component and signal)`);
    const client = new FileStorageClient(join(this.directory, name), this.cfg.fsync, () => this.clients.delete(name));
    await client.open(this.mode);
    this.clients.set(name, client);
    return client;
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    await this.unlock?.();
    this.unlock = undefined;
  }
}
