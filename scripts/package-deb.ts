// `npm run package:deb`: a Debian package built from this tree with dpkg-deb. It holds the
// bundle and the production dependencies under /usr/lib/telemd (the native addons built here,
// hence the machine's architecture), /usr/bin/telemd, the unit in /lib/systemd/system, the
// default config as the conffile /etc/telemd/config.yaml, the man page and bash completion;
// packaging/deb/ has the maintainer scripts (the telemd user, /var/lib/telemd, purge).
// Usage: tsx scripts/package-deb.ts [--out DIR]   (prints the .deb's path)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { copyInstallation } from '../src/cli/install-paths.js';
import { renderUnit } from '../src/cli/unit.js';

const ROOT = resolve(import.meta.dirname, '..');
const outIdx = process.argv.indexOf('--out');
const OUT = resolve(outIdx > 0 ? process.argv[outIdx + 1]! : join(ROOT, 'out'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; description: string; license: string; engines: { node: string } };
const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
const nodeMin = /(\d+(?:\.\d+)*)/.exec(pkg.engines.node)![1]!;

if (!existsSync(join(ROOT, 'dist', 'telemd.js')) || !existsSync(join(ROOT, 'dist', 'telemd.1'))) throw new Error('dist/ is not built: npm run build first');

const stage = join(OUT, `telemd_${pkg.version}_${arch}`);
rmSync(stage, { recursive: true, force: true });
const at = (p: string) => join(stage, p);
const lib = '/usr/lib/telemd';

copyInstallation(ROOT, at(lib));
// Sources maps and the development lock stay out of the system copy.
rmSync(at(`${lib}/dist/telemd.js.map`), { force: true });
for (const kind of ['receivers', 'processors', 'exporters', 'connectors', 'extensions'])
  for (const dir of execFileSync('ls', [join(ROOT, kind)], { encoding: 'utf8' }).split('\n').filter(Boolean))
    if (existsSync(join(ROOT, kind, dir, 'README.md'))) {
      mkdirSync(at(`/usr/share/doc/telemd/${kind}/${dir}`), { recursive: true });
      copyFileSync(join(ROOT, kind, dir, 'README.md'), at(`/usr/share/doc/telemd/${kind}/${dir}/README.md`));
    }
copyFileSync(join(ROOT, 'README.md'), at('/usr/share/doc/telemd/README.md'));
if (existsSync(join(ROOT, 'docs'))) cpSync(join(ROOT, 'docs'), at('/usr/share/doc/telemd/docs'), { recursive: true });
writeFileSync(
  at('/usr/share/doc/telemd/copyright'),
  `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: telemd\n\nFiles: *\nLicense: ${pkg.license}\n On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.\n`,
);

mkdirSync(at('/usr/bin'), { recursive: true });
symlinkSync(`../lib/telemd/bin/telemd.js`, at('/usr/bin/telemd'));
mkdirSync(at('/usr/share/man/man1'), { recursive: true });
writeFileSync(at('/usr/share/man/man1/telemd.1.gz'), gzipSync(readFileSync(join(ROOT, 'dist', 'telemd.1')), { level: 9 }));
mkdirSync(at('/usr/share/bash-completion/completions'), { recursive: true });
copyFileSync(join(ROOT, 'dist', 'telemd.bash-completion'), at('/usr/share/bash-completion/completions/telemd'));
mkdirSync(at('/etc/telemd'), { recursive: true });
copyFileSync(join(ROOT, 'config', 'default.yaml'), at('/etc/telemd/config.yaml'));
mkdirSync(at('/lib/systemd/system'), { recursive: true });
writeFileSync(
  at('/lib/systemd/system/telemd.service'),
  renderUnit({ node: '/usr/bin/node', entry: `${lib}/bin/telemd.js`, config: '/etc/telemd/config.yaml', user: 'telemd', readme: '/usr/share/doc/telemd/README.md', man: true }),
);

mkdirSync(at('/DEBIAN'), { recursive: true });
const installedKb = Math.ceil(Number(execFileSync('du', ['-sk', '--exclude=DEBIAN', stage], { encoding: 'utf8' }).split('\t')[0]));
writeFileSync(
  at('/DEBIAN/control'),
  [
    'Package: telemd',
    `Version: ${pkg.version}`,
    `Architecture: ${arch}`,
    'Maintainer: telemd developers <telemd@localhost>',
    `Installed-Size: ${installedKb}`,
    `Depends: nodejs (>= ${nodeMin}), passwd`,
    'Recommends: systemd',
    'Section: admin',
    'Priority: optional',
    `Description: ${pkg.description.split(':')[0]}`,
    ' Receivers, processors and exporters in the style of the OpenTelemetry Collector,',
    ' with the Collector\'s YAML. Runs as the telemd system user from telemd.service.',
    '',
  ].join('\n'),
);
writeFileSync(at('/DEBIAN/conffiles'), '/etc/telemd/config.yaml\n');
for (const s of ['postinst', 'prerm', 'postrm']) {
  copyFileSync(join(ROOT, 'packaging', 'deb', s), at(`/DEBIAN/${s}`));
  chmodSync(at(`/DEBIAN/${s}`), 0o755);
}

const deb = join(OUT, `telemd_${pkg.version}_${arch}.deb`);
execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', stage, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
rmSync(stage, { recursive: true, force: true });
process.stdout.write(`${deb}\n`);
