// The process scraper as an unprivileged user: other users' processes cannot be fully read;
// that must be counted, not logged, and must not stop the scrape.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./unprivileged-scrape.ts', import.meta.url));
const root = process.getuid?.() === 0;

describe.skipIf(!root)('process scraper without privileges', () => {
  it('counts unreadable processes instead of logging them', () => {
    const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, HOME: '/tmp' },
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { resources: number; logs: number; skipped: string[] };
    expect(r.resources).toBeGreaterThan(3);
    expect(r.logs).toBe(0);
    // root's processes: fd directory and io are not readable by nobody
    expect(r.skipped.some((l) => /reason="(fd|io)"/.test(l) && Number(l.split(' ').pop()) > 0)).toBe(true);
  });
});
