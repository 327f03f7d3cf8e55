// The Debian package built from this tree (scripts/package-deb.ts, `npm run package:deb`),
// installed into this machine with the real dpkg: the telemd user, /var/lib/telemd, the unit,
// the conffile kept across a reinstall, the man page; `/usr/bin/telemd validate` run by root and
// by the service user; a clean purge. Needs root (dpkg -i); there is no systemd as PID 1 here,
// so what systemd would do with the unit is checked with systemd-analyze verify.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';

const isRoot = process.getuid?.() === 0;
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const alreadyInstalled = spawnSync('dpkg-query', ['-W', '-f=${Status}', 'telemd'], { encoding: 'utf8' }).stdout.includes('installed');
const userExists = spawnSync('getent', ['passwd', 'telemd']).status === 0;
const skip = !isRoot ? 'not root: dpkg -i needs root' : !have('dpkg-deb') ? 'no dpkg-deb' : alreadyInstalled ? 'a telemd package is installed on this machine: not touching it' : userExists ? 'a telemd user exists already: not touching it' : '';

function sh(cmd: string, args: string[], opts: { env?: Record<string, string> } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...opts.env }, timeout: 180_000 });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

describe.skipIf(skip !== '')(`Debian package${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const out = tempDir('telemd-deb-');
  let deb = '';
  afterAll(() => {
    // Whatever happened, leave the machine as it was.
    if (spawnSync('dpkg-query', ['-W', 'telemd']).status === 0) sh('dpkg', ['--purge', 'telemd']);
    rmSync(out, { recursive: true, force: true });
  });

  it('builds with dpkg-deb: unit, conffile, man page, maintainer scripts', () => {
    const b = sh(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'package-deb.ts'), '--out', out]);
    expect(b.code, b.err).toBe(0);
    deb = b.out.trim();
    expect(deb).toMatch(/telemd_\d+\.\d+\.\d+_\w+\.deb$/);
    const contents = sh('dpkg-deb', ['--contents', deb]).out;
    for (const f of ['./usr/bin/telemd -> ../lib/telemd/bin/telemd.js', './lib/systemd/system/telemd.service', './etc/telemd/config.yaml', './usr/share/man/man1/telemd.1.gz', './usr/share/bash-completion/completions/telemd', './usr/lib/telemd/dist/telemd.js', './usr/lib/telemd/node_modules/pino/', './usr/lib/telemd/node_modules/unix-dgram/'])
      expect(contents).toContain(f);
    expect(contents).not.toContain('node_modules/vitest');
    expect(sh('dpkg-deb', ['--field', deb, 'Depends']).out).toMatch(/nodejs \(>= 20\.19\)/);
    expect(sh('dpkg-deb', ['--info', deb, 'conffiles']).out.trim()).toBe('/etc/telemd/config.yaml');
  }, 180_000);

  it('dpkg -i installs the user, state directory and unit; /usr/bin/telemd validates the config, also as the service user', () => {
    const i = sh('dpkg', ['-i', deb]);
    expect(i.code, i.err + i.out).toBe(0);
    const pw = sh('getent', ['passwd', 'telemd']).out.split(':');
    expect(pw[5]).toBe('/var/lib/telemd');
    expect(pw[6]!.trim()).toBe('/usr/sbin/nologin');
    expect(Number(pw[2])).toBeLessThan(1000);
    expect(sh('stat', ['-c', '%U:%G %a', '/var/lib/telemd']).out.trim()).toBe('telemd:telemd 750');
    expect(sh('stat', ['-c', '%U:%G %a', '/etc/telemd/config.yaml']).out.trim()).toBe('root:telemd 640');
    const unit = readFileSync('/lib/systemd/system/telemd.service', 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node .* \/usr\/lib\/telemd\/bin\/telemd\.js run --config \/etc\/telemd\/config\.yaml$/m);
    expect(unit).toMatch(/^Documentation=man:telemd\(1\) file:\/usr\/share\/doc\/telemd\/README\.md$/m);
    expect(unit).toMatch(/^User=telemd$/m);
    if (have('systemd-analyze')) {
      const v = sh('systemd-analyze', ['verify', '/lib/systemd/system/telemd.service']);
      expect(v.err.trim(), v.err).toBe('');
    }
    const val = sh('/usr/bin/telemd', ['validate', '--config', '/etc/telemd/config.yaml']);
    expect(val.code, val.err).toBe(0);
    expect(val.out).toContain('config is valid');
    // The service runs on /usr/bin/node (the unit's ExecStart): the version the README names.
    const node = sh('/usr/bin/node', ['--version']).out.trim();
    const [maj, min] = node.slice(1).split('.').map(Number);
    expect(maj! > 20 || (maj === 20 && min! >= 19), `${node} is older than the package's Depends: nodejs (>= 20.19)`).toBe(true);
    const asService = sh('runuser', ['-u', 'telemd', '--', '/usr/bin/node', '/usr/lib/telemd/bin/telemd.js', 'validate', '--config', '/etc/telemd/config.yaml'], { env: { STATE_DIRECTORY: '/var/lib/telemd', TELEMD_DATA_DIR: '/var/lib/telemd' } });
    expect(asService.code, asService.err).toBe(0);
    expect(sh('man', ['-w', 'telemd']).out.trim()).toBe('/usr/share/man/man1/telemd.1.gz');
  }, 120_000);

  it('the installed agent runs as the service user with the unit\'s environment and stops on SIGTERM', async () => {
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const uid = Number(sh('id', ['-u', 'telemd']).out);
    const gid = Number(sh('id', ['-g', 'telemd']).out);
    const p = spawn('/usr/bin/node', ['--v8-pool-size=1', '/usr/lib/telemd/bin/telemd.js', 'run', '--config', '/etc/telemd/config.yaml',
      '--set', `service::telemetry::metrics::address=127.0.0.1:${ports[0]}`, '--set', `exporters::prometheus::endpoint=127.0.0.1:${ports[1]}`, '--set', `extensions::health_check::endpoint=127.0.0.1:${ports[2]}`, '--set', `extensions::console::endpoint=127.0.0.1:${ports[3]}`,
    ], { uid, gid, cwd: '/var/lib/telemd', env: { ...process.env, STATE_DIRECTORY: '/var/lib/telemd', TELEMD_DATA_DIR: '/var/lib/telemd' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
    try {
      const end = Date.now() + 20_000;
      // The file exporter opens its file before the last components start: wait for both.
      while (!(existsSync('/var/lib/telemd/telemetry.jsonl') && out.includes('pipelines running')) && Date.now() < end && p.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      expect(out, out.slice(-2000)).toContain('pipelines running');
      expect(sh('stat', ['-c', '%U', '/var/lib/telemd/telemetry.jsonl']).out.trim()).toBe('telemd');
      const body = await (await fetch(`http://127.0.0.1:${ports[1]}/metrics`)).text();
      expect(body).toMatch(/system_memory_usage_bytes\{.*instance="/);
    } finally {
      p.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it('a reinstall is idempotent and keeps a changed conffile', () => {
    appendFileSync('/etc/telemd/config.yaml', '# changed by the admin\n');
    const i = sh('dpkg', ['-i', '--force-confold', deb]);
    expect(i.code, i.err + i.out).toBe(0);
    expect(readFileSync('/etc/telemd/config.yaml', 'utf8')).toContain('# changed by the admin');
    expect(sh('getent', ['passwd']).out.split('\n').filter((l) => l.startsWith('telemd:'))).toHaveLength(1);
    const reconf = sh('dpkg-reconfigure', ['telemd']);
    expect(reconf.code, reconf.err).toBe(0);
  }, 120_000);

  it('dpkg --purge removes everything it made', () => {
    const p = sh('dpkg', ['--purge', 'telemd']);
    expect(p.code, p.err + p.out).toBe(0);
    for (const f of ['/usr/bin/telemd', '/lib/systemd/system/telemd.service', '/etc/telemd', '/var/lib/telemd', '/usr/lib/telemd']) expect(existsSync(f), f).toBe(false);
    expect(sh('getent', ['passwd', 'telemd']).code).not.toBe(0);
    expect(sh('getent', ['group', 'telemd']).code).not.toBe(0);
  }, 120_000);
});
