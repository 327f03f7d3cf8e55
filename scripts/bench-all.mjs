// `npm run bench`: every benchmark in turn (each prints its own figures and peer ratios; those
// that need ../shared/datasets skip themselves when it is absent). Never part of `npm test`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const only = process.argv.slice(2);
const names = Object.keys(pkg.scripts).filter((s) => s.startsWith('bench:') && (only.length === 0 || only.includes(s.slice(6))));
const failed = [];
for (const name of names) {
  process.stdout.write(`\n=== npm run ${name}\n`);
  const r = spawnSync('npm', ['run', '--silent', name], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(name);
}
if (failed.length) {
  process.stderr.write(`\nfailed: ${failed.join(', ')}\n`);
  process.exit(1);
}
