// Writes real journal files: export format through systemd-journal-remote.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REMOTE = ['/lib/systemd/systemd-journal-remote', '/usr/lib/systemd/systemd-journal-remote'].find((p) => existsSync(p));
export const HAVE = !!REMOTE && spawnSync('journalctl', ['--version']).status === 0;
let seq = 0;
export const lastSeq = () => seq;

function exportEntry(fields: Record<string, string>): string {
  seq++;
  const base = {
    __CURSOR: `s=1;i=${seq}`,
    __REALTIME_TIMESTAMP: String(1795317268000000 + seq * 1000),
    __MONOTONIC_TIMESTAMP: String(seq * 1000),
    _BOOT_ID: '0123456789abcdef0123456789abcdef',
    _HOSTNAME: 'testhost',
    PRIORITY: '6',
  };
  return Object.entries({ ...base, ...fields }).map(([k, v]) => `${k}=${v}`).join('\n') + '\n\n';
}

export function appendJournal(file: string, entries: Record<string, string>[]): void {
  const exp = join(mkdtempSync(join(tmpdir(), 'telemd-jexp-')), 'in.export');
  writeFileSync(exp, entries.map(exportEntry).join(''));
  execFileSync(REMOTE!, ['-o', file, exp], { stdio: 'ignore' });
}

