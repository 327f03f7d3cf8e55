import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `../shared/<name>` beside the checkout. From a worktree (/work/wt/<you>) the folder is further
 * up, so parents are searched too.
 */
export function sharedDir(name: string): string | undefined {
  let dir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  for (let k = 0; k < 4; k++) {
    const cand = join(dir, '..', 'shared', name);
    if (existsSync(cand)) return cand;
    dir = dirname(dir);
  }
  return undefined;
}
