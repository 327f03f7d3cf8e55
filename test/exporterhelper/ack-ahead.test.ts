import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../storage/helpers.js';
import { bodies } from './fixtures.js';
import { persistentSender, until } from './pq-helpers.js';

const child = join(import.meta.dirname, 'ack-ahead-child.ts');

// Review finding 1: the ack pointer was stored past a group still being written, so that
// acknowledged group counted as done after a crash and was deleted unsent.
describe('persistent queue ack pointer vs. a concurrent group commit', () => {
  it('a batch acknowledged while the ack pointer is stored survives kill -9', async () => {
    const root = await tempDir();
    const dir = join(root, 'state');
    const acked = join(root, 'acked.txt');
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, acked], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => p.once('exit', r));
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await until(() => out.includes('KILL-ME'), 30_000);
    } finally {
      p.kill('SIGKILL');
      await exited;
    }
    expect(p.signalCode).toBe('SIGKILL');
    expect((await readFile(acked, 'utf8')).split('\n').filter(Boolean)).toEqual(['A', 'B']);

    const got: string[] = [];
    const q = await persistentSender(dir, async (d) => void got.push(...bodies(d)));
    try {
      await until(() => got.filter((b) => b.startsWith('B-')).length >= 3, 5_000).catch(() => {});
      expect(got.filter((b) => b.startsWith('B-')).sort()).toEqual(['B-0', 'B-1', 'B-2']);
      // A was delivered and settled before the kill: it must not come back.
      expect(got).not.toContain('A-0');
    } finally {
      await q.stop();
    }
  }, 60_000);
});
