import { describe, expect, it } from 'vitest';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { factory } from '../../extensions/file_storage/index.js';
import { FileStorage, clientName } from '../../extensions/file_storage/file-storage.js';
import { parseComponentId } from '../../src/component/component.js';
import { ParseContext } from '../../src/config/schema.js';
import { isStorageExtension } from '../../src/storage/storage.js';
import { safeName } from '../../src/storage/fsutil.js';
import { tempDir, testSettings } from './helpers.js';

function config(raw: Record<string, unknown>) {
  const ctx = new ParseContext();
  const cfg = factory.config.parse(raw, ctx);
  return { cfg, issues: ctx.issues };
}

async function started(dir: string, extra: Record<string, unknown> = {}) {
  const { cfg } = config({ directory: dir, ...extra });
  const ext = factory.create(testSettings('file_storage', 'extension'), cfg);
  await ext.start({} as never);
  if (!isStorageExtension(ext)) throw new Error('not a storage extension');
  return ext;
}

describe('file_storage config', () => {
  it('defaults like the Collector plus telemd defaults', () => {
    const { cfg, issues } = config({});
    expect(issues).toEqual([]);
    expect(cfg.fsync).toBe(true);
    expect(cfg.create_directory).toBe(true);
    expect(cfg.directory).toBe(process.getuid?.() === 0 ? '/var/lib/telemd' : './data/state');
  });
  it('accepts a Collector config unchanged and rejects typos', () => {
    expect(config({ directory: '/x', timeout: '2s', compaction: { on_start: true, directory: '/tmp' } }).issues).toEqual([]);
    const bad = config({ directroy: '/x' }).issues;
    expect(bad[0]?.message).toMatch(/did you mean "directory"/);
    expect(config({ directory_permissions: 'rwx' }).issues[0]?.message).toMatch(/octal/);
  });
});

describe('file_storage', () => {
  it('namespaces clients per component and signal like the Collector', () => {
    expect(clientName('exporter', parseComponentId('otlp/backend')!, 'logs')).toBe('exporter_otlp_backend_logs');
    expect(clientName('receiver', parseComponentId('filelog')!)).toBe('receiver_filelog_');
    expect(safeName('a/b c')).toBe('a~2fb~20c');
  });

  it('stores, replaces, deletes values durably across a restart', async () => {
    const dir = await tempDir();
    const ext = await started(dir);
    const owner = parseComponentId('filelog/app')!;
    const c = await ext.getClient('receiver', owner);
    expect(await c.get('cursor')).toBeUndefined();
    await c.set('cursor', 'one');
    await c.set('cursor', new Uint8Array([1, 2, 3]));
    expect([...(await c.get('cursor'))!]).toEqual([1, 2, 3]);
    await c.set('weird/key', 'x');
    expect((await c.get('weird/key'))!.toString()).toBe('x');
    await c.delete('weird/key');
    expect(await c.get('weird/key')).toBeUndefined();
    expect((await stat(c.directory)).isDirectory()).toBe(true);
    await expect(ext.getClient('receiver', owner)).rejects.toThrow(/already open/);
    await ext.shutdown();

    const again = await started(dir);
    const c2 = await again.getClient('receiver', owner);
    expect([...(await c2.get('cursor'))!]).toEqual([1, 2, 3]);
    // No temp files left behind by the atomic writes.
    expect((await readdir(join(dir, 'receiver_filelog_app', 'kv'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await again.shutdown();
  });

  it('keeps the last of concurrent writes to one key', async () => {
    const ext = await started(await tempDir());
    const c = await ext.getClient('exporter', parseComponentId('otlp')!, 'traces');
    await Promise.all(Array.from({ length: 50 }, (_, i) => c.set('k', String(i))));
    expect((await c.get('k'))!.toString()).toBe('49');
    await ext.shutdown();
  });

  it('gives a clear error when the directory is missing and may not be created', async () => {
    const dir = join(await tempDir(), 'missing');
    const { cfg } = config({ directory: dir, create_directory: false });
    const ext = factory.create(testSettings('file_storage', 'extension'), cfg);
    await expect(ext.start({} as never)).rejects.toThrow(/does not exist/);
  });

  it('refuses a directory locked by another live agent, takes over a stale lock', async () => {
    const dir = await tempDir();
    // A live process (sleep) holds the lock: its pid and start time are real.
    const { cfg } = config({ directory: dir });
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 50));
    const st = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[19];
    await writeFile(join(dir, '.telemd.lock'), `${pid} ${st}\n`);
    const ext = new FileStorage(testSettings('file_storage', 'extension'), cfg);
    await expect(ext.start()).rejects.toThrow(/in use by another telemd \(pid/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await ext.start();
    await ext.shutdown();
  });

  it('keeps the lock file allocated: release and takeover overwrite it in place', async () => {
    const dir = await tempDir();
    const lock = join(dir, '.telemd.lock');
    const { cfg } = config({ directory: dir });
    const a = new FileStorage(testSettings('file_storage', 'extension'), cfg);
    await a.start();
    const held = await readFile(lock, 'utf8');
    expect(held.trim().split(/ +/)[0]).toBe(String(process.pid));
    await a.shutdown();
    const freed = await readFile(lock, 'utf8');
    expect(freed.length).toBe(held.length); // still allocated, so a full disk cannot stop the next start
    expect(freed.trim()).toBe('');
    // A lock left by a dead agent (old format, shorter) is taken over in place too.
    await writeFile(lock, '999999999 12345 abc\n');
    const b = new FileStorage(testSettings('file_storage', 'extension'), cfg);
    await b.start();
    expect((await readFile(lock, 'utf8')).trim().split(/ +/)[0]).toBe(String(process.pid));
    await b.shutdown();
    expect((await readdir(dir)).filter((n) => n.includes('lock'))).toEqual(['.telemd.lock']);
  });
});
