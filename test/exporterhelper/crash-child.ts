// Spawned by crash.test.ts and killed with SIGKILL mid-stream. Writes each batch id to
// `acked` synchronously as soon as consume() resolves, so the parent knows exactly what was
// acknowledged before the kill.
import { appendFileSync } from 'node:fs';
import { bodies, logs } from './fixtures.js';
import { persistentSender } from './pq-helpers.js';

const [dir, mode, ackedFile, deliveredFile] = process.argv.slice(2) as [string, 'down' | 'deliver', string, string];

const q = await persistentSender(
  dir,
  async (d) => {
    if (mode === 'down') throw new Error('backend down');
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    appendFileSync(deliveredFile, bodies(d).join('\n') + '\n');
  },
  { num_consumers: 4, queue_size: 100000 },
  { segmentBytes: 64 * 1024 },
);
process.stdout.write('READY\n');
let i = 0;
async function producer(): Promise<void> {
  for (;;) {
    const tag = `b${i++}`;
    await q.s.consumer.consume(logs(tag, 5));
    appendFileSync(ackedFile, tag + '\n');
  }
}
await Promise.all(Array.from({ length: 16 }, producer));
