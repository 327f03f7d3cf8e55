// What another local user can make the filelog receiver (running as root here) read: each case
// is done by a real second user, created for this file and removed after it.
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receiver } from '../../src/component/component.js';
import { MetricRegistry } from '../../src/telemetry/self.js';
import { FileAccess } from '../../receivers/filelog/access.js';
import { canAddUsers, NOT_ROOT, throwawayUser } from '../helpers/users.js';
import { Recorder, startReceiver, tempDir, waitFor } from './harness.js';
import pino from 'pino';
import { Writable } from 'node:stream';

const fast = { poll_interval: '20ms', force_flush_period: '100ms' };
const user = throwawayUser();
let running: Receiver[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.shutdown()));
  running = [];
});

if (!canAddUsers) console.log(`filelog security tests ${NOT_ROOT}`);

/** A receiver whose warnings are kept: returns the recorder, the registry and the log lines. */
async function watch(cfg: Record<string, unknown>) {
  const rec = new Recorder();
  const registry = new MetricRegistry();
  const lines: { msg: string; reason?: string; path?: string }[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n')) if (l) lines.push(JSON.parse(l) as { msg: string });
      cb();
    },
  });
  const r = await startReceiver({ start_at: 'beginning', ...fast, ...cfg }, rec, undefined, registry, pino({ level: 'warn' }, sink));
  running.push(r);
  return { rec, registry, lines };
}

const refused = (reg: MetricRegistry, reason: string) =>
  reg.values('telemd_filelog_refused_files_total').find((v) => v.labels.reason === reason)?.value ?? 0;

/** A world-traversable test root with a secret only root may read, outside any include folder. */
async function layout() {
  const root = await tempDir('telemd-filelog-sec-');
  await chmod(root, 0o755);
  await mkdir(join(root, 'secret'), { mode: 0o700 });
  const secret = join(root, 'secret', 'shadow');
  await writeFile(secret, 'root:$6$notforyou\n', { mode: 0o600 });
  return { root, secret };
}

describe.skipIf(!canAddUsers)('filelog access policy against a second local user', () => {
  it('refuses a symlink the user planted to a root-only file outside the include folder, reads the user\'s own file in the user\'s own folder', async () => {
    const { root, secret } = await layout();
    const logs = join(root, 'logs');
    await mkdir(logs, { mode: 0o755 });
    await chown(logs, user.uid, user.gid);
    user.run('ln', '-s', secret, join(logs, 'evil.log'));
    user.run('sh', '-c', `echo mine > ${join(logs, 'own.log')}`);
    const { rec, registry, lines } = await watch({ include: [join(logs, '*.log')] });
    await waitFor(() => rec.got.length === 1 && refused(registry, 'symlink_outside') === 1, 5000, 'own.log read and evil.log refused');
    await new Promise((r) => setTimeout(r, 200)); // more polls: still refused once, logged once
    expect(rec.bodies()).toEqual(['mine']);
    expect(refused(registry, 'symlink_outside')).toBe(1);
    const warned = lines.filter((l) => l.reason === 'symlink_outside');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.msg).toContain(`resolves to ${secret}`);
    expect(warned[0]!.msg).toContain('symlink_targets');
  });

  it('follows the same link once allowed by symlink_targets or follow_symlinks (the /var/log/containers → /var/log/pods case)', async () => {
    const { root, secret } = await layout();
    const logs = join(root, 'containers');
    await mkdir(logs, { mode: 0o755 });
    await chown(logs, user.uid, user.gid);
    user.run('ln', '-s', secret, join(logs, 'pod.log'));
    const a = await watch({ include: [join(logs, '*.log')], symlink_targets: [join(root, 'secret', '*')] });
    await waitFor(() => a.rec.got.length === 1, 5000, 'allowed target read');
    expect(a.rec.bodies()).toEqual(['root:$6$notforyou']);
    const b = await watch({ include: [join(logs, '*.log')], follow_symlinks: true });
    await waitFor(() => b.rec.got.length === 1, 5000, 'followed with follow_symlinks');
    expect(refused(a.registry, 'symlink_outside') + refused(b.registry, 'symlink_outside')).toBe(0);
  });

  it('follows symlinks that stay inside the include folder', async () => {
    const { root } = await layout();
    const logs = join(root, 'logs');
    await mkdir(join(logs, 'real'), { recursive: true, mode: 0o755 });
    await writeFile(join(logs, 'real', 'app.txt'), 'inside\n');
    await chown(logs, user.uid, user.gid);
    user.run('ln', '-s', join(logs, 'real', 'app.txt'), join(logs, 'app.log'));
    const { rec, registry } = await watch({ include: [join(logs, '*.log')] });
    await waitFor(() => rec.got.length === 1, 5000, 'link inside the folder read');
    expect(rec.bodies()).toEqual(['inside']);
    expect(refused(registry, 'symlink_outside')).toBe(0);
  });

  it('as root, refuses a file the user planted in a root-owned world-writable (sticky) folder, and warns about the folder at start', async () => {
    const { root } = await layout();
    const shared = join(root, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await writeFile(join(shared, 'app.log'), 'by root\n');
    user.run('sh', '-c', `echo planted > ${join(shared, 'planted.log')}`);
    // A FIFO would block a reader that opened it; a link to one is matched like a file.
    user.run('mkfifo', join(shared, 'pipe'));
    user.run('ln', '-s', join(shared, 'pipe'), join(shared, 'pipe.log'));
    const { rec, registry, lines } = await watch({ include: [join(shared, '*.log')] });
    await waitFor(() => rec.got.length === 1 && refused(registry, 'owner') === 1, 5000, 'refusals');
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.bodies()).toEqual(['by root']);
    expect(refused(registry, 'owner')).toBe(1);
    expect(refused(registry, 'not_regular')).toBe(1);
    const dirWarn = lines.filter((l) => l.msg.includes('is writable by others'));
    expect(dirWarn).toHaveLength(1);
    expect(dirWarn[0]!.msg).toMatch(/every user can create files and symlinks in it \(mode 1777, owner uid 0\) \(sticky/);
    expect(lines.find((l) => l.reason === 'owner')!.msg).toContain(`owned by uid ${user.uid}, neither root nor the owner of its folder (uid 0)`);
  });

  it('warns about a folder its group may write into', async () => {
    const { root } = await layout();
    const logs = join(root, 'grouplogs');
    await mkdir(logs);
    await chown(logs, 0, user.gid);
    await chmod(logs, 0o775);
    const { lines } = await watch({ include: [join(logs, '*.log')] });
    expect(lines.filter((l) => l.msg.includes('is writable by others'))[0]!.msg).toContain(`members of group ${user.gid} can create files`);
  });

  it('a file swapped for a symlink or another file between the check and the open is not read (O_NOFOLLOW, device and inode compared)', async () => {
    const { root, secret } = await layout();
    const logs = join(root, 'race');
    await mkdir(logs, { mode: 0o755 });
    await chown(logs, user.uid, user.gid);
    const f = join(logs, 'app.log');
    user.run('sh', '-c', `echo fine > ${f}`);
    const access = new FileAccess({ include: [join(logs, '*.log')], follow_symlinks: false, symlink_targets: [] });
    const checked = await stat(f);
    // (made now, while the checked inode is in use, so the file system cannot reuse its number)
    user.run('sh', '-c', `echo other > ${f}.new`);
    // The user swaps the checked file for a link to the secret…
    user.run('ln', '-sf', secret, f);
    const a = await access.openChecked(f, checked);
    expect(a.ok).toBe(false);
    expect(!a.ok && a.reason).toBe('changed');
    // …or for another file of the same name.
    user.run('mv', '-f', `${f}.new`, f);
    const b = await access.openChecked(f, checked);
    expect(!b.ok && b.detail).toMatch(/replaced between the check and the open/);
    // Unchanged: opened.
    const c = await access.openChecked(f, await stat(f));
    expect(c.ok).toBe(true);
    if (c.ok) await c.fh.close();
  });
});
