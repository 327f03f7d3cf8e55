// Review finding 4b: on a full file system file_storage could not start (its lock write failed
// with ENOSPC), so the agent crash-looped and the acknowledged backlog that filled the disk
// never drained. Real full tmpfs (needs root to mount; skipped otherwise).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStorage } from '../../extensions/file_storage/file-storage.js';
import { factory } from '../../extensions/file_storage/index.js';
import { ParseContext } from '../../src/config/schema.js';
import { bodies, logs } from '../exporterhelper/fixtures.js';
import { persistentSender } from '../exporterhelper/pq-helpers.js';
import { testSettings } from './helpers.js';
import { tmpfsForSuite } from '../helpers/tmpfs.js';

const tmpfs = tmpfsForSuite('512k');

function fillUp(path: string): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${path}`, 'bs=1k', 'count=1024'], { stdio: 'ignore' });
  } catch {
    // ENOSPC is the point
  }
}

describe('file_storage on a full disk', () => {
  it('restarts on a full disk and drains the acknowledged backlog', async (ctx) => {
    if (!tmpfs.mounted) ctx.skip();
    const dir = join(tmpfs.path, 'state');
    await mkdir(dir);
    const q1 = await persistentSender(dir, async () => { throw new Error('backend down'); }, { queue_size: 1_000_000 }, { segmentBytes: 32 * 1024 });
    let acked = 0;
    for (let i = 0; i < 10_000; i++) {
      const ok = await q1.s.consumer.consume(logs(`b${i}`, 20)).then(() => true, () => false);
      if (!ok) break;
      acked++;
    }
    await q1.stop(200);
    expect(acked).toBeGreaterThan(10);
    const lockSize = await stat(join(dir, '.telemd.lock')).then((st) => st.size, () => -1);
    fillUp(join(tmpfs.path, 'filler')); // something else takes the last free blocks
    expect(execFileSync('df', ['-k', tmpfs.path]).toString()).toMatch(/\s0\s+100%/);

    const got: string[] = [];
    const q2 = await persistentSender(dir, async (d) => void got.push(...bodies(d)), { queue_size: 1_000_000 }, { segmentBytes: 32 * 1024 });
    const end = Date.now() + 20_000;
    while (got.length < acked * 20 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await q2.stop();
    expect(new Set(got).size).toBe(acked * 20);
    // The lock is overwritten in place: still there, same size, nothing new allocated.
    expect((await stat(join(dir, '.telemd.lock'))).size).toBe(lockSize);
  }, 60_000);

  it('starts with a warning when even a new lock cannot be written', async (ctx) => {
    if (!tmpfs.mounted) ctx.skip();
    fillUp(join(tmpfs.path, 'filler2'));
    const dir = join(tmpfs.path, 'fresh');
    await mkdir(dir);
    const set = testSettings('file_storage/full', 'extension');
    const ext = factory.create(set, factory.config.parse({ directory: dir }, new ParseContext())) as FileStorage;
    await ext.start();
    expect(set.lines.some((l) => l.level === 40 && /lock could not be recorded/.test(String(l.msg)))).toBe(true);
    await ext.shutdown();
  });
});
