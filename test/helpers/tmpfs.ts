// A small real tmpfs for full-disk tests (needs root; `mounted` is false elsewhere and the tests skip).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallFs {
  path: string;
  mounted: boolean;
  unmount(): void;
}

export function mountTmpfs(size = '512k'): SmallFs {
  const path = mkdtempSync(join(tmpdir(), 'telemd-tmpfs-'));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
  return {
    path,
    mounted,
    unmount() {
      if (!mounted) return;
      try {
        execFileSync('umount', ['-l', path], { stdio: 'ignore' });
      } catch {
        // best effort: a lazy unmount of a tmpfs in a temp dir harms nothing if it fails
      }
      mounted = false;
    },
  };
}
