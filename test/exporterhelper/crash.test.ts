import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../storage/helpers.js';
import { bodies } from './fixtures.js';
import { persistentSender, until } from './pq-helpers.js';

const child = join(import.meta.dirname, 'crash-child.ts');
const rounds = process.env.TELEMD_SOAK ? 10 : 1;

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

/** Run the child until it has acknowledged `minAcks` batches, then SIGKILL it mid-write. */
async function runAndKill(dir: string, mode: 'down' | 'deliver', acked: string, delivered: string, minAcks: number): Promise<void> {
  const p = spawn(process.execPath, ['--import', 'tsx', child, dir, mode, acked, delivered], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => p.once('exit', r));
  let out = '';
  p.stdout.on('data', (b: Buffer) => (out += b.toString()));
  await until(() => out.includes('READY'), 30_000).catch((e: unknown) => {
    p.kill('SIGKILL');
    throw e;
  });
  const end = Date.now() + 30_000;
  while ((await lines(acked)).length < minAcks && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  p.kill('SIGKILL');
  await exited;
  expect(p.signalCode).toBe('SIGKILL');
}

describe('persistent queue across kill -9', () => {
  for (const mode of ['down', 'deliver'] as const)
    it(`every acknowledged item arrives after a kill -9 (backend ${mode === 'down' ? 'down' : 'delivering'} at the kill)`, async () => {
      for (let round = 0; round < rounds; round++) {
        const dir = await tempDir();
        const acked = join(dir, 'acked.txt');
        const delivered = join(dir, 'delivered.txt');
        await runAndKill(dir, mode, acked, delivered, 300 + round * 50);
        const ackedTags = await lines(acked);
        const before = await lines(delivered);
        const after: string[] = [];
        const q = await persistentSender(dir, async (d) => void after.push(...bodies(d)));
        const have = new Set([...before, ...after]);
        const wanted = ackedTags.flatMap((t) => [0, 1, 2, 3, 4].map((j) => `${t}-${j}`));
        await until(() => {
          for (const a of after) have.add(a);
          return wanted.every((id) => have.has(id));
        }, 30_000).catch(() => {});
        const missing = wanted.filter((id) => !have.has(id));
        const beforeSet = new Set(before);
        const dups = after.filter((id) => beforeSet.has(id)).length + (after.length - new Set(after).size);
        const corrupt = q.m('telemd_exporter_queue_corrupt_records_total');
        console.log(
          `kill -9 (${mode}) round ${round}: acked ${wanted.length} items, delivered before kill ${before.length}, after restart ${after.length}, duplicates ${dups}, missing ${missing.length}, torn/corrupt records skipped ${corrupt}`,
        );
        expect(missing).toEqual([]);
        await q.stop();
      }
    });
});
