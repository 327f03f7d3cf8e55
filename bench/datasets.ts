// Where the benchmark data sets live when --data is not given: $TELEMD_DATASETS, then
// ../shared/datasets next to this checkout, then next to the main checkout of a git worktree
// (worktrees sit elsewhere, the data beside the main one).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function mainCheckout(): string | undefined {
  try {
    const common = execFileSync('git', ['-C', repo, 'rev-parse', '--git-common-dir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirname(resolve(repo, common));
  } catch {
    return undefined;
  }
}

/** The first existing `<root>/<name>` among the candidate roots, else the conventional path. */
export function datasetDir(name: string): string {
  const roots = [process.env.TELEMD_DATASETS, join(repo, '../shared/datasets')];
  const main = mainCheckout();
  if (main) roots.push(join(main, '../shared/datasets'));
  for (const r of roots) if (r && existsSync(join(r, name))) return resolve(r, name);
  return resolve(repo, '../shared/datasets', name);
}

/** Value of `--name VALUE` on the command line. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
