// `telemd service install|uninstall`: user, config, state directory and systemd unit.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Args } from './args.js';
import { CliError, EXIT } from './console-client.js';
import { copyInstallation, unreachableInstall, writablePaths } from './install-paths.js';
import { defaultConfigPath, packageRoot } from './paths.js';
import { renderUnit } from './unit.js';

const UNIT_PATH = '/etc/systemd/system/telemd.service';
const DEFAULT_CONFIG = '/etc/telemd/config.yaml';
const STATE_DIR = '/var/lib/telemd';

interface Step {
  describe: string;
  run(): void;
}

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: 'inherit' });
}

function userExists(user: string): boolean {
  try {
    execFileSync('id', ['-u', user], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const systemdRunning = () => existsSync('/run/systemd/system');

/** `man telemd` works here (npm install -g and the Debian package install the page; a clone does not). */
function manInstalled(): boolean {
  try {
    execFileSync('man', ['-w', 'telemd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function installSteps(args: Args): { steps: Step[]; unit: string; warnings: string[] } {
  const user = args.values.get('--user') ?? 'telemd';
  const config = resolve((args.configs[0] ?? DEFAULT_CONFIG).replace(/^file:/, ''));
  const unitPath = args.values.get('--unit-path') ?? UNIT_PATH;
  const here = packageRoot();
  const copyTo = args.values.get('--copy-to');
  const root = copyTo ? resolve(copyTo) : here;
  const warnings: string[] = [];
  const why = copyTo ? undefined : unreachableInstall(root);
  if (why && args.flags.has('--dry-run')) warnings.push(`a real install would stop here: the service user cannot run telemd from ${root}: ${why}; use --copy-to DIR`);
  else if (why)
    throw new CliError(
      `the service user cannot run telemd from here: ${why}.\nInstall it where the service can read it (npm install -g, or the Debian package), or give --copy-to /opt/telemd to copy this installation there`,
      EXIT.config,
    );
  // Type=notify needs the unix-dgram addon; npm 11 skips its build in global installs unless allowed.
  try {
    createRequire(join(here, 'package.json'))('unix-dgram');
  } catch {
    const fix = `the unit is Type=notify, which needs the unix-dgram addon, and it is not built in ${here} (npm 11 skips install scripts of global installs: npm install -g --allow-scripts=unix-dgram …, or npm rebuild unix-dgram there)`;
    if (args.flags.has('--dry-run')) warnings.push(fix);
    else throw new CliError(fix, EXIT.software);
  }
  const node = process.execPath;
  const nodeWhy = unreachableInstall(dirname(node));
  if (nodeWhy) warnings.push(`Node.js at ${node} may not be reachable by the service: ${nodeWhy}`);
  // What the config writes to, as the service will run it (only known once the config exists).
  const rw = existsSync(config) ? writablePaths(config, STATE_DIR) : writablePaths(defaultConfigPath(), STATE_DIR);
  const unit = renderUnit({ node, entry: join(root, 'bin', 'telemd.js'), config, user, readme: join(root, 'README.md'), man: manInstalled(), writable: rw.paths });
  const steps: Step[] = [];
  if (copyTo)
    steps.push({
      describe: `copy this installation (${here}) with its production dependencies to ${root}`,
      run: () => {
        const n = copyInstallation(here, root);
        process.stdout.write(`   copied ${n} entries\n`);
      },
    });
  if (!userExists(user)) {
    steps.push({
      describe: `create system user ${user} (groups: adm, systemd-journal if present)`,
      run: () => {
        sh('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', STATE_DIR, '--shell', '/usr/sbin/nologin', user]);
        for (const g of ['adm', 'systemd-journal']) {
          try {
            sh('usermod', ['-a', '-G', g, user]);
          } catch {
            /* the group may not exist on this host */
          }
        }
      },
    });
  }
  if (!existsSync(config)) {
    steps.push({
      describe: `write ${config} from the embedded default`,
      run: () => {
        mkdirSync(dirname(config), { recursive: true });
        copyFileSync(defaultConfigPath(), config);
      },
    });
  } else {
    steps.push({ describe: `keep existing ${config}`, run: () => undefined });
  }
  steps.push({
    describe: `create state directory ${STATE_DIR} owned by ${user}`,
    run: () => {
      mkdirSync(STATE_DIR, { recursive: true, mode: 0o750 });
      sh('chown', [`${user}:${user}`, STATE_DIR]);
    },
  });
  for (const d of rw.paths)
    steps.push({
      describe: `create ${d} (the config writes there: ReadWritePaths=) owned by ${user} if missing`,
      run: () => {
        if (existsSync(d)) return;
        mkdirSync(d, { recursive: true, mode: 0o750 });
        sh('chown', [`${user}:${user}`, d]);
      },
    });
  steps.push({
    describe: `validate ${config}`,
    run: () => sh(process.execPath, [join(root, 'bin', 'telemd.js'), 'validate', '--config', config]),
  });
  steps.push({ describe: `write ${unitPath}`, run: () => writeFileSync(unitPath, unit, { mode: 0o644 }) });
  if (systemdRunning()) {
    steps.push({ describe: 'systemctl daemon-reload', run: () => sh('systemctl', ['daemon-reload']) });
    steps.push({ describe: 'systemctl enable --now telemd', run: () => sh('systemctl', ['enable', '--now', 'telemd']) });
  } else {
    steps.push({ describe: 'systemd is not running here: enable and start telemd.service yourself', run: () => undefined });
  }
  return { steps, unit, warnings };
}

function uninstallSteps(args: Args): Step[] {
  const user = args.values.get('--user') ?? 'telemd';
  const unitPath = args.values.get('--unit-path') ?? UNIT_PATH;
  const steps: Step[] = [];
  if (systemdRunning())
    steps.push({
      describe: 'systemctl disable --now telemd',
      run: () => {
        try {
          sh('systemctl', ['disable', '--now', 'telemd']);
        } catch {
          /* not enabled */
        }
      },
    });
  steps.push({ describe: `remove ${unitPath}`, run: () => rmSync(unitPath, { force: true }) });
  if (systemdRunning()) steps.push({ describe: 'systemctl daemon-reload', run: () => sh('systemctl', ['daemon-reload']) });
  if (userExists(user)) steps.push({ describe: `remove system user ${user}`, run: () => sh('userdel', [user]) });
  if (args.flags.has('--purge')) {
    steps.push({ describe: `remove ${STATE_DIR} and /etc/telemd`, run: () => {
      rmSync(STATE_DIR, { recursive: true, force: true });
      rmSync('/etc/telemd', { recursive: true, force: true });
    } });
  } else {
    steps.push({ describe: `keep ${STATE_DIR} and /etc/telemd (add --purge to remove them)`, run: () => undefined });
  }
  return steps;
}

export function serviceCommand(args: Args): number {
  const sub = args.command[1];
  const dry = args.flags.has('--dry-run');
  if (sub !== 'install' && sub !== 'uninstall') {
    throw new CliError('usage: telemd service install|uninstall (telemd help service install)', EXIT.usage);
  }
  if (!dry && process.getuid && process.getuid() !== 0) {
    process.stderr.write(`telemd service ${sub} must run as root (try sudo, or --dry-run to see what it would do)\n`);
    return 77;
  }
  const { steps, unit, warnings } = sub === 'install' ? installSteps(args) : { steps: uninstallSteps(args), unit: '', warnings: [] };
  for (const w of warnings) process.stderr.write(`telemd service install: warning: ${w}\n`);
  for (const [i, step] of steps.entries()) {
    process.stdout.write(`${dry ? '[dry-run] ' : ''}${i + 1}. ${step.describe}\n`);
    if (!dry) step.run();
  }
  if (dry && unit) process.stdout.write(`\n--- ${args.values.get('--unit-path') ?? UNIT_PATH} ---\n${unit}`);
  return 0;
}
