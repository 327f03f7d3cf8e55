// Spawned by crash.test.ts and killed with SIGKILL while appending. Writes the index of each
// batch to `acked` synchronously as soon as append() resolved, so the parent knows exactly what
// was acknowledged before the kill. Batches of SERIES samples every few ms, 100 ms apart in
// sample time, with 2 s blocks so that head cuts and WAL truncation happen during the run.
import { appendFileSync } from 'node:fs';
import { Tsdb } from '../../src/tsdb/store.js';

const [dir, interval, acked] = process.argv.slice(2) as [string, string, string];
export const SERIES = 50;
export const T0 = 1_700_000_000_000;

const db = await Tsdb.open({ dir, walFsyncIntervalMs: Number(interval), blockDurationMs: 2000, walSegmentBytes: 64 * 1024 });
// Resume after a previous round: the store says where it stopped.
const have = await db.select({ minT: 0, maxT: 2 * T0 }, [{ name: '__name__', type: '=', value: 'crash_test' }]);
let i = 0;
for (const s of have) if (s.t.length) i = Math.max(i, (s.t[s.t.length - 1]! - T0) / 100 + 1);
process.stdout.write('READY\n');
for (;;) {
  const batch = [];
  for (let k = 0; k < SERIES; k++) batch.push({ labels: { __name__: 'crash_test', k: String(k) }, t: T0 + i * 100, v: i * 1000 + k });
  await db.append(batch);
  appendFileSync(acked, `${i}\n`);
  i++;
  if (i % 4 === 0) await new Promise((r) => setTimeout(r, 2));
}
