// npm run test:promql -- DIR [FILE...]: runs Prometheus' PromQL .test files against the engine
// and prints passed / failed / skipped per file, each failure and skip with its reason, and a
// last line "N passed, N failed, N skipped". Exit status 1 when any case failed.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runTestFile } from '../src/promql/promqltest.js';

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: npm run test:promql -- DIR|FILE.test ...');
  process.exit(2);
}
const files = args.flatMap((a) => (statSync(a).isDirectory() ? readdirSync(a).filter((f) => f.endsWith('.test')).sort().map((f) => join(a, f)) : [a]));
let passed = 0, failed = 0, skipped = 0;
for (const f of files) {
  const r = await runTestFile(f);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
  console.log(`${basename(f)}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  for (const c of r.cases) if (c.status !== 'passed') console.log(`  ${c.status} line ${c.line}: ${c.expr}\n    ${c.reason}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
