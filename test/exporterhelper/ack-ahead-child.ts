// Spawned by ack-ahead.test.ts. Batch A is delivered; while A's settle stores the ack pointer,
// batch B is offered (so it is being written). The backend then stays down, B is acknowledged,
// and the parent SIGKILLs this process. B must still be on disk, ahead of the stored pointer.
import { appendFileSync } from 'node:fs';
import { bodies, logs } from './fixtures.js';
import { persistentSender } from './pq-helpers.js';

const [dir, ackedFile] = process.argv.slice(2) as [string, string];
let down = false;
const q = await persistentSender(dir, async (d) => {
  if (down) throw new Error('backend down');
  if (bodies(d)[0] === 'A-0') {
    down = true;
    void q.s.consumer.consume(logs('B', 3)).then(() => {
      appendFileSync(ackedFile, 'B\n');
      // Time for the ack pointer write racing B's group commit to finish.
      setTimeout(() => process.stdout.write('KILL-ME\n'), 300);
    });
  }
});
await q.s.consumer.consume(logs('A', 1));
appendFileSync(ackedFile, 'A\n');
