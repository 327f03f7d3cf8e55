// Tests against real peers skip themselves where a peer is missing (a developer's laptop). In CI
// (.ci/run installs them) a missing peer must fail loudly instead of silently skipping.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

describe.skipIf(!process.env.CI)('CI has every real peer the integration tests use', () => {
  it.each([
    ['prometheus', ['--version']],
    ['prometheus-node-exporter', ['--version']],
    ['/lib/systemd/systemd-journal-remote', ['--help']],
    ['journalctl', ['--version']],
    ['systemd-analyze', ['--version']],
    ['openssl', ['version']],
    ['python3', ['--version']],
    ['cc', ['--version']],
    ['free', ['-b']],
  ])('%s', (cmd, args) => {
    expect(has(cmd, args as string[]), `${cmd} is missing: .ci/run must install it`).toBe(true);
  });
});
