// Runs a filelog receiver in-process: real files, a real on-disk StorageClient (write, fsync,
// rename) and a consumer that records what it acknowledges.
import { mkdir, mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { CreateSettings, Host } from '../../src/component/component.js';
import { ParseContext } from '../../src/config/schema.js';
import type { LogsConsumer } from '../../src/component/consumer.js';
import type { LogRecord, LogsData } from '../../src/pdata/types.js';
import type { StorageClient } from '../../src/storage/storage.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { factory } from '../../receivers/filelog/index.js';
import { observeReceiver } from '../../src/service/observe.js';
import { configSchema, type Config } from '../../receivers/filelog/config.js';
import type { Receiver } from '../../src/component/component.js';

export async function tempDir(prefix = 'telemd-filelog-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Small atomic key/value store on disk, like file_storage does it. */
export class DirStorage implements StorageClient {
  constructor(readonly directory: string) {}
  private file(key: string): string {
    return join(this.directory, encodeURIComponent(key));
  }
  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(key));
    } catch {
      return undefined;
    }
  }
  async set(key: string, value: Uint8Array | string): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const tmp = this.file(key) + '.tmp';
    const fh = await open(tmp, 'w');
    await fh.writeFile(value);
    await fh.sync();
    await fh.close();
    await rename(tmp, this.file(key));
  }
  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }
  async close(): Promise<void> {}
}

export function hostWith(storage?: StorageClient): Host {
  return {
    getExtension: () => undefined,
    getStorage: async () => {
      if (!storage) throw new Error('no storage');
      return storage;
    },
    reportFatal: () => {},
  };
}

export function parseConfig(raw: Record<string, unknown>): Config {
  const ctx = new ParseContext();
  const cfg = configSchema.parse(raw, ctx);
  if (ctx.issues.length) throw new Error(ctx.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const errs = factory.validate?.(cfg) ?? [];
  if (errs.length) throw new Error(errs.join('; '));
  return cfg;
}

export function settings(registry = new MetricRegistry(), logger = pino({ level: process.env.TELEMD_TEST_LOG ?? 'silent' })): CreateSettings {
  return {
    id: { type: 'filelog', name: '', id: 'filelog' },
    kind: 'receiver',
    logger,
    telemetry: new SelfTelemetry(registry, { receiver: 'filelog' }),
  };
}

export function records(d: LogsData): LogRecord[] {
  return d.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
}

/** Records every acknowledged record; `gate` may refuse or delay. */
export class Recorder implements LogsConsumer {
  readonly got: LogRecord[] = [];
  batches = 0;
  gate: ((recs: LogRecord[]) => Promise<void> | void) | undefined;
  async consume(d: LogsData): Promise<void> {
    const recs = records(d);
    if (this.gate) await this.gate(recs);
    this.batches++;
    for (const r of recs) this.got.push(r);
  }
  bodies(): string[] {
    return this.got.map((r) => String(r.body));
  }
}

export async function startReceiver(
  raw: Record<string, unknown>,
  next: LogsConsumer,
  storage?: StorageClient,
  registry?: MetricRegistry,
  logger?: CreateSettings['logger'],
): Promise<Receiver> {
  const cfg = parseConfig(raw);
  const set = settings(registry, logger);
  // As the service does: accepted/refused items are counted around the receiver's consumer.
  const r = factory.create(set, cfg, { logs: observeReceiver(set.telemetry, 'logs', next) });
  await r.start(hostWith(storage));
  return r;
}

export async function waitFor(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
