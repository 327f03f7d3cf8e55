// Spawned by emfile.test.ts under `ulimit -n 256`. Restarts a persistent queue holding 20
// acknowledged batches (one record per segment, so every read opens a file), then uses up every
// fd while the first push waits, and frees them again. Prints one JSON line with the outcome.
import { closeSync, openSync } from 'node:fs';
import { bodies, logs } from './fixtures.js';
import { persistentSender, until } from './pq-helpers.js';

const [dir] = process.argv.slice(2) as [string];
const q1 = await persistentSender(dir, async () => { throw new Error('down'); }, {}, { hotCacheBytes: 0, segmentBytes: 1 });
for (let i = 0; i < 20; i++) await q1.s.consumer.consume(logs(`b${i}`, 2));
await q1.stop(200);

let release!: () => void;
const gate = new Promise<void>((r) => (release = r));
const got: string[] = [];
let first = true;
const q2 = await persistentSender(dir, async (d) => {
  if (first) { first = false; await gate; }
  got.push(...bodies(d));
}, { num_consumers: 1, batch: { min_size: 0 } }, { hotCacheBytes: 0 }); // one record per read, so reads happen while the fds are gone
await until(() => !first);
const fds: number[] = [];
let exhausted = '';
try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch (e) { exhausted = (e as NodeJS.ErrnoException).code ?? ''; }
release();
await new Promise((r) => setTimeout(r, 300));
for (const fd of fds) closeSync(fd);
await until(() => got.length >= 40, 10_000).catch(() => {});
const result = {
  exhausted,
  delivered: new Set(got).size,
  readErrors: q2.m('telemd_exporter_queue_read_errors_total'),
  corrupt: q2.m('telemd_exporter_queue_corrupt_records_total', { reason: 'unreadable' }),
  droppedCorrupt: q2.m('telemd_exporter_dropped_items_total', { reason: 'corrupt' }),
  stop: await q2.stop().then(() => 'ok', (e: Error) => e.message),
};
process.stdout.write(JSON.stringify(result) + '\n');
