// A small real tmpfs for full-disk tests (needs root; `mounted` is false elsewhere and the tests skip).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface SmallFs {
  /** The mount point ('' before the suite's beforeAll ran). */
  readonly path: string;
  readonly mounted: boolean;
}

/** Mounted before the calling file's tests, unmounted after them. */
export function tmpfsForSuite(size = '512k'): SmallFs {
  const fs = { path: '', mounted: false };
  beforeAll(() => {
    fs.path = mkdtempSync(join(tmpdir(), 'telemd-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', fs.path], { stdio: 'ignore' });
      fs.mounted = true;
    } catch {
      fs.mounted = false;
    }
  });
  afterAll(() => {
    if (!fs.mounted) return;
    try {
      execFileSync('umount', ['-l', fs.path], { stdio: 'ignore' });
    } catch {
      // best effort: a lazy unmount of a tmpfs in a temp dir harms nothing if it fails
    }
    fs.mounted = false;
  });
  return fs;
}
