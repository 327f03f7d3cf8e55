// Installed as users install tools: `npm pack` from this tree, `npm install -g` of the tarball
// into a temporary prefix (the real npm and registry), then `telemd` from anywhere: version,
// validate of the packaged default config, the man page, a short run stopped by SIGTERM, and
// service install refusing the copy under /tmp that the unit could not reach.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyInstallation } from '../../src/cli/install-paths.js';
import { ROOT, tempDir } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
}

describe('npm pack + npm install -g', () => {
  const work = tempDir('telemd-pack-');
  const prefix = join(work, 'prefix');
  const elsewhere = tempDir('telemd-elsewhere-');
  let tgz = '';
  let files: string[] = [];

  beforeAll(() => {
    const pack = run(NPM, ['pack', '--json', '--pack-destination', work], ROOT);
    expect(pack.status, pack.stderr).toBe(0);
    const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tgz = join(work, info[0]!.filename);
    files = info[0]!.files.map((f) => f.path);
    // npm 11 runs no install scripts of a global install unless allowed: unix-dgram (sd_notify) needs its build.
    const inst = run(NPM, ['install', '-g', '--prefix', prefix, '--allow-scripts=unix-dgram', '--no-audit', '--no-fund', tgz], work);
    expect(inst.status, inst.stderr).toBe(0);
  }, 240_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  const telemd = () => join(prefix, 'bin', 'telemd');

  it('ships what runs and what documents it, not the sources', () => {
    for (const f of ['bin/telemd.js', 'dist/telemd.js', 'dist/telemd.1', 'dist/telemd.bash-completion', 'dist/console/index.html', 'config/default.yaml', 'README.md', 'receivers/hostmetrics/README.md', 'exporters/loadbalancing/README.md', 'connectors/routing/README.md', 'extensions/console/README.md'])
      expect(files, f).toContain(f);
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('node_modules/'))).toBe(false);
  });

  it('runs telemd from anywhere: version, validate, man page, the unix-dgram addon built', () => {
    const v = run(telemd(), ['version'], elsewhere);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^telemd \d+\.\d+\.\d+ /);
    const val = run(telemd(), ['validate'], elsewhere);
    expect(val.status, val.stderr).toBe(0);
    expect(val.stderr).toContain(join(prefix, 'lib', 'node_modules', 'telemd', 'config', 'default.yaml'));
    expect(existsSync(join(prefix, 'share', 'man', 'man1', 'telemd.1'))).toBe(true);
    const man = run('man', ['-M', join(prefix, 'share', 'man'), '-w', 'telemd'], elsewhere);
    if (man.error === undefined) expect(man.stdout.trim()).toMatch(/telemd\.1$/);
    const addon = run(process.execPath, ['-e', "require('unix-dgram'); console.log('ok')"], join(prefix, 'lib', 'node_modules', 'telemd'));
    expect(addon.stdout.trim(), addon.stderr).toBe('ok');
  });

  it('the installed copy runs the default pipeline and stops on SIGTERM', async () => {
    const p = spawn(telemd(), ['run', '--set', `service::telemetry::metrics::address=127.0.0.1:${await freePort()}`, '--set', `exporters::prometheus::endpoint=127.0.0.1:${await freePort()}`, '--set', `extensions::health_check::endpoint=127.0.0.1:${await freePort()}`, '--set', `extensions::console::endpoint=127.0.0.1:${await freePort()}`], { cwd: elsewhere, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
    const end = Date.now() + 20_000;
    while (!out.includes('pipelines running') && Date.now() < end && p.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('pipelines running');
    p.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The default config's file exporter wrote into ./data of the working directory.
    expect(readdirSync(join(elsewhere, 'data'))).toContain('telemetry.jsonl');
  }, 30_000);

  it('service install will not point the unit at a copy under /tmp (dry run warns, with --copy-to it plans the copy)', () => {
    const cfg = join(elsewhere, 'c.yaml');
    writeFileSync(cfg, 'receivers:\n  nop:\nexporters:\n  file:\n    path: /srv/telemd-test/out.jsonl\nservice:\n  pipelines:\n    logs: { receivers: [nop], exporters: [file] }\n');
    const dry = run(telemd(), ['service', 'install', '--dry-run', '--config', cfg], elsewhere);
    expect(dry.status).toBe(0);
    expect(dry.stderr).toMatch(/a real install would stop here: .* is under \/tmp, which the unit hides from the service \(PrivateTmp=yes\)/);
    expect(dry.stdout).toMatch(/^ReadWritePaths=\/srv\/telemd-test$/m);
    const copy = run(telemd(), ['service', 'install', '--dry-run', '--copy-to', '/opt/telemd', '--config', cfg], elsewhere);
    expect(copy.stderr).not.toContain('would stop');
    expect(copy.stdout).toMatch(/copy this installation .* to \/opt\/telemd/);
    expect(copy.stdout).toMatch(/^ExecStart=\S+node \S.* \/opt\/telemd\/bin\/telemd\.js run --config /m);
    if (process.getuid?.() === 0) {
      const real = run(telemd(), ['service', 'install', '--config', cfg, '--unit-path', join(elsewhere, 'u.service')], elsewhere);
      expect(real.status).toBe(78);
      expect(real.stderr).toContain('the service user cannot run telemd from here');
      expect(existsSync(join(elsewhere, 'u.service'))).toBe(false);
    }
  });

  it('the copy --copy-to makes runs on its own production dependencies', () => {
    const dest = join(work, 'opt-telemd');
    expect(copyInstallation(ROOT, dest)).toBeGreaterThan(10);
    expect(existsSync(join(dest, 'node_modules', 'pino'))).toBe(true);
    expect(existsSync(join(dest, 'node_modules', 'vitest'))).toBe(false);
    const val = run(process.execPath, [join(dest, 'bin', 'telemd.js'), 'validate', '--config', join(dest, 'config', 'default.yaml')], elsewhere);
    expect(val.status, val.stderr).toBe(0);
  }, 60_000);
});
