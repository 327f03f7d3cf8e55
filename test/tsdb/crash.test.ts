import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tsdb } from '../../src/tsdb/store.js';
import { storesClosedAfterEach } from './helpers.js';

const child = join(import.meta.dirname, 'crash-child.ts');
const rounds = process.env.TELEMD_SOAK ? 10 : 2;
const SERIES = 50;
const T0 = 1_700_000_000_000;
const stores = storesClosedAfterEach();

async function acked(path: string): Promise<number[]> {
  return (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
}

/** Runs the child until it acknowledged `more` more batches, then SIGKILLs it mid-append. */
async function runAndKill(dir: string, interval: number, ackFile: string, more: number): Promise<void> {
  const before = (await acked(ackFile)).length;
  const p = spawn(process.execPath, ['--import', 'tsx', child, dir, String(interval), ackFile], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => p.once('exit', r));
  try {
    const end = Date.now() + 60_000;
    while ((await acked(ackFile)).length < before + more && Date.now() < end && p.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  } finally {
    p.kill('SIGKILL');
    await exited;
  }
  expect(p.signalCode).toBe('SIGKILL');
}

describe('history store across kill -9', () => {
  for (const interval of [1000, 0])
    it(`keeps every acknowledged sample exactly once (wal_fsync_interval ${interval} ms)`, async () => {
      const dir = await stores.dir();
      const ackFile = join(dir, 'acked.txt');
      for (let round = 0; round < rounds; round++) {
        await runAndKill(join(dir, 'db'), interval, ackFile, 150 + round * 37);
        const ack = await acked(ackFile);
        const db = await Tsdb.open({ dir: join(dir, 'db'), blockDurationMs: 2000 });
        const got = await db.select({ minT: 0, maxT: 2 * T0 }, [{ name: '__name__', type: '=', value: 'crash_test' }]);
        const st = db.stats();
        await db.close();
        expect(got.length).toBe(SERIES);
        let dups = 0;
        let wrong = 0;
        let missing = 0;
        for (const s of got) {
          const k = Number(s.labels.k);
          const seen = new Set<number>();
          for (let j = 0; j < s.t.length; j++) {
            const i = (s.t[j]! - T0) / 100;
            if (j > 0 && s.t[j]! <= s.t[j - 1]!) {
              if (dups === 0 && process.env.DEBUG_CRASH) console.log('dup at', j, s.t[j - 2], s.t[j - 1], s.t[j], s.t[j + 1], (await import('node:fs')).readdirSync(join(dir, 'db', 'raw')));
              dups++;
            }
            if (s.v[j] !== i * 1000 + k) wrong++;
            seen.add(i);
          }
          for (const i of ack) if (!seen.has(i)) missing++;
        }
        console.log(
          `kill -9 (wal_fsync_interval ${interval} ms) round ${round}: ${ack.length} batches acknowledged, ${got[0]!.t.length} stored per series, ` +
            `${st.tiers[0]!.blocks} blocks, WAL torn tails ${st.replay.tornTail}, corrupt ${st.replay.corruptRecords}; missing ${missing}, duplicated ${dups}, wrong ${wrong}`,
        );
        expect({ missing, dups, wrong }).toEqual({ missing: 0, dups: 0, wrong: 0 });
        expect(st.tiers[0]!.blocks).toBeGreaterThan(0);
      }
    });
});
