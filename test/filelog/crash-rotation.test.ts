// Rotations that happen while the agent is down (after a crash): the rotated content must
// continue where its checkpoint was, not be read again from its start.
import { appendFile, copyFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receiver } from '../../src/component/component.js';
import { DirStorage, Recorder, startReceiver, tempDir, waitFor } from './harness.js';

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
