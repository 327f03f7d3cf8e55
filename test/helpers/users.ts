// A real second user for tests of what another local user can do (needs root: tests run as
// root in CI; elsewhere `canAddUsers` is false and the tests skip saying why).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';

export const canAddUsers = process.geteuid?.() === 0;
export const NOT_ROOT = 'skipped: needs root to create a throwaway second user (useradd)';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  /** Runs a command as this user; throws with its stderr when it fails. */
  run(cmd: string, ...args: string[]): string;
}

/** Created before the calling file's tests with useradd, removed after them with userdel. */
export function throwawayUser(): TestUser {
  const u: TestUser = {
    name: `telemdt${randomBytes(4).toString('hex')}`,
    uid: -1,
    gid: -1,
    run(cmd, ...args) {
      const r = spawnSync(cmd, args, { uid: u.uid, gid: u.gid, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} as ${u.name} failed: ${r.stderr || r.error}`);
      return r.stdout;
    },
  };
  beforeAll(() => {
    if (!canAddUsers) return;
    execFileSync('useradd', ['--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', u.name], { stdio: 'pipe' });
    u.uid = Number(execFileSync('id', ['-u', u.name], { encoding: 'utf8' }).trim());
    u.gid = Number(execFileSync('id', ['-g', u.name], { encoding: 'utf8' }).trim());
  });
  afterAll(() => {
    if (!canAddUsers || u.uid < 0) return;
    spawnSync('userdel', [u.name], { stdio: 'ignore' });
  });
  return u;
}
