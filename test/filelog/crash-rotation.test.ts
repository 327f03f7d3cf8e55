// Rotations that happen while the agent is down (after a crash): the rotated content must
// continue where its checkpoint was, not be read again from its start.
import { appendFileSync, copyFileSync, statSync, truncateSync } from 'node:fs';
import { appendFile, copyFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receiver } from '../../src/component/component.js';
import { DirStorage, Recorder, startReceiver, tempDir, waitFor } from './harness.js';
import { encodeCheckpoints } from '../../receivers/filelog/checkpoint.js';

const fast = { poll_interval: '20ms', force_flush_period: '100ms' };
let running: Receiver[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.shutdown()));
  running = [];
});
const lines = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${String(i).padStart(5, '0')} ${'z'.repeat(40)}`);

describe('filelog: rotation while the agent was down', () => {
  for (const how of ['copytruncate', 'rename'] as const)
    it(`${how}: the rotated file continues at its checkpoint, the new file is read from its start`, async () => {
      const dir = await tempDir();
      const f = join(dir, 'app.log');
      await writeFile(f, lines('A', 300).join('\n') + '\n');
      const opts = { include: [join(dir, 'app.log*')], start_at: 'beginning', storage: 'file_storage', ...fast };
      const rec = new Recorder();
      const r1 = await startReceiver(opts, rec, new DirStorage(join(dir, 'st')));
      await waitFor(() => rec.got.length === 300);
      await r1.shutdown();
      // While it is down: more lines, then the rotation, then lines in the new file.
      await appendFile(f, lines('B', 50).join('\n') + '\n');
      if (how === 'copytruncate') {
        await copyFile(f, join(dir, 'app.log.1'));
        await truncate(f, 0);
      } else {
        await rename(f, join(dir, 'app.log.1'));
      }
      await appendFile(f, lines('C', 20).join('\n') + '\n');
      const rec2 = new Recorder();
      running.push(await startReceiver(opts, rec2, new DirStorage(join(dir, 'st'))));
      await waitFor(() => rec2.got.length >= 70);
      await new Promise((r) => setTimeout(r, 300));
      expect(rec2.bodies().sort()).toEqual([...lines('B', 50), ...lines('C', 20)]);
    });
});

describe('filelog: copytruncate seen while the file was empty, then a restart', () => {
  // The truncation is noticed while the file is empty (its fingerprint then has no bytes) and
  // the new content is read before the next poll looks at its head again. The checkpoint must
  // still identify that content: if it is copied away and truncated while the agent is down,
  // the newest content is read from its start and the copy continues where reading stopped.
  it('the new content read before the next poll is fingerprinted; nothing lost after a restart', async () => {
    const dir = await tempDir();
    const f = join(dir, 'app.log');
    await writeFile(f, lines('X', 300).join('\n') + '\n');
    // A long poll_interval: everything below happens within the first poll (no head refresh).
    const opts = { include: [join(dir, 'app.log*')], start_at: 'beginning', storage: 'file_storage', max_batch_size: 100, poll_interval: '10s', force_flush_period: '100ms' };
    const rec = new Recorder();
    let calls = 0;
    rec.gate = async () => {
      if (++calls !== 1) return;
      // While the first batch is in flight: copy + truncate (the file is empty when the reader
      // checks it before its next batch), then the writer's next lines arrive.
      copyFileSync(f, join(dir, 'app.log.1'));
      truncateSync(f, 0);
      await new Promise((r) => setTimeout(r, 50));
      appendFileSync(f, lines('Y', 50).join('\n') + '\n');
    };
    const r1 = await startReceiver(opts, rec, new DirStorage(join(dir, 'st')));
    await waitFor(() => rec.bodies().filter((b) => b.startsWith('Y')).length === 50, 10_000, 'the new content');
    await r1.shutdown();
    // Down: the next copytruncate, and the newest content grows past where reading stopped.
    copyFileSync(f, join(dir, 'app.log.2'));
    truncateSync(f, 0);
    appendFileSync(f, lines('Z', 120).join('\n') + '\n');
    const rec2 = new Recorder();
    running.push(await startReceiver({ ...opts, poll_interval: '20ms' }, rec2, new DirStorage(join(dir, 'st'))));
    await waitFor(() => new Set([...rec.bodies(), ...rec2.bodies()]).size >= 470, 10_000, 'every line').catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    const all = new Set([...rec.bodies(), ...rec2.bodies()]);
    const want = [...lines('X', 300), ...lines('Y', 50), ...lines('Z', 120)];
    expect(want.filter((l) => !all.has(l))).toEqual([]);
    // And the copy of the new content is not read again from its start.
    expect(rec2.bodies().filter((b) => b.startsWith('Y'))).toEqual([]);
  });
});

describe('filelog: a checkpoint with an offset but no fingerprint', () => {
  it('is not trusted: the file is read from its start (duplicates rather than loss)', async () => {
    const dir = await tempDir();
    const f = join(dir, 'app.log');
    await writeFile(f, lines('N', 20).join('\n') + '\n');
    const st = statSync(f);
    const storage = new DirStorage(join(dir, 'st'));
    await storage.set('file_checkpoints', encodeCheckpoints([{ dev: st.dev, ino: st.ino, fp: Buffer.alloc(0), offset: 500, path: f }]));
    const rec = new Recorder();
    running.push(await startReceiver({ include: [f], start_at: 'beginning', storage: 'file_storage', ...fast }, rec, storage));
    await waitFor(() => rec.got.length >= 20, 10_000, 'the whole file');
    expect(rec.bodies()).toEqual(lines('N', 20));
  });
});
