// A real systemd user manager for tests on machines without PID-1 systemd: a private
// `dbus-daemon --session` on a socket in a temp dir, and `systemd --user` in a private mount
// namespace whose /run/systemd/system exists (the check systemd makes for "booted with
// systemd"), with unit files the test writes. Needs: root (for unshare -m and mount), the
// Debian packages systemd, dbus, dbus-user-session. `systemdUserUnavailable()` says why not.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SYSTEMD = ['/lib/systemd/systemd', '/usr/lib/systemd/systemd'].find((p) => existsSync(p));

export function systemdUserUnavailable(): string | undefined {
  if (!SYSTEMD) return 'no /lib/systemd/systemd (Debian package systemd)';
  if (spawnSync('dbus-daemon', ['--version']).status !== 0) return 'no dbus-daemon (Debian package dbus)';
  if (process.getuid?.() !== 0) return 'not root: a private mount namespace (unshare -m) is needed to run systemd --user where PID 1 is not systemd';
  const probe = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs tmpfs /run/systemd 2>/dev/null || mount -t tmpfs tmpfs /mnt'], { stdio: 'ignore' });
  if (probe.status !== 0) return 'unshare -m / mount not permitted here';
  return undefined;
}

export interface UserSystemd {
  dir: string;
  busAddress: string;
  env: Record<string, string>;
  /** Writes a unit file and reloads the manager. */
  addUnit(name: string, text: string): void;
  systemctl(...args: string[]): string;
  stop(): Promise<void>;
}

function waitExit(p: ChildProcess, ms: number): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode) return Promise.resolve(true);
  return new Promise((r) => {
    const t = setTimeout(() => r(false), ms);
    p.once('exit', () => {
      clearTimeout(t);
      r(true);
    });
  });
}

export async function startUserSystemd(): Promise<UserSystemd> {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-systemd-'));
  const run = join(dir, 'run');
  const units = join(dir, 'config', 'systemd', 'user');
  mkdirSync(run, { mode: 0o700 });
  mkdirSync(units, { recursive: true });
  mkdirSync(join(dir, 'home'));
  const busAddress = `unix:path=${run}/bus`;
  const env = { ...process.env, XDG_RUNTIME_DIR: run, DBUS_SESSION_BUS_ADDRESS: busAddress, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'config'), SYSTEMD_LOG_TARGET: 'console' } as Record<string, string>;
  const dbus = spawn('dbus-daemon', ['--session', `--address=${busAddress}`, '--nofork', '--nopidfile'], { env, stdio: 'ignore' });
  dbus.on('error', () => undefined);
  for (let i = 0; i < 100 && !existsSync(`${run}/bus`); i++) await new Promise((r) => setTimeout(r, 20));
  const sd = spawn('unshare', ['-m', 'sh', '-c', `mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/system && exec ${SYSTEMD} --user`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  sd.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const systemctl = (...args: string[]): string => {
    const r = spawnSync('systemctl', ['--user', ...args], { env, encoding: 'utf8', timeout: 10_000 });
    return `${r.stdout}${r.stderr}`;
  };
  const stop = async (): Promise<void> => {
    sd.kill('SIGTERM');
    if (!(await waitExit(sd, 5000))) sd.kill('SIGKILL');
    await waitExit(sd, 2000);
    dbus.kill('SIGTERM');
    if (!(await waitExit(dbus, 2000))) dbus.kill('SIGKILL');
  };
  const end = Date.now() + 15_000;
  for (;;) {
    const r = spawnSync('busctl', ['--user', 'get-property', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'SystemState'], { env, encoding: 'utf8', timeout: 5000 });
    if (r.status === 0 && /"(running|degraded)"/.test(r.stdout)) break;
    if (Date.now() > end || sd.exitCode !== null) {
      await stop();
      throw new Error(`systemd --user did not come up: ${err.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    dir,
    busAddress,
    env,
    addUnit: (name, text) => {
      writeFileSync(join(units, name), text);
      systemctl('daemon-reload');
    },
    systemctl,
    stop,
  };
}
