import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../storage/helpers.js';

const child = join(import.meta.dirname, 'emfile-child.ts');

// Review finding 4: a transient read error (here EMFILE) counted the record as corrupt and
// dropped it, and the failed open was cached so the rest of the segment went the same way.
describe('persistent queue read errors', () => {
  it('records survive running out of file descriptors while they are read back', async () => {
    const dir = await tempDir();
    // A low fd limit in a child process only: exhausting this test worker's fds would hit other tests.
    const out = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${child}" "${dir}"`], { cwd: join(import.meta.dirname, '../..'), timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
    console.log(`EMFILE while reading back: ${JSON.stringify(r)}`);
    expect(r.exhausted).toBe('EMFILE');
    expect(r.readErrors).toBeGreaterThan(0); // the fault really hit a read
    expect(r).toMatchObject({ delivered: 40, corrupt: 0, droppedCorrupt: 0, stop: 'ok' });
  }, 90_000);
});
