#!/usr/bin/env node
// The `telemd` command: runs the bundle that `npm ci` / `npm run build` writes to dist/.
import { existsSync } from 'node:fs';
const bundle = new URL('../dist/telemd.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('telemd: dist/telemd.js is missing; run `npm run build` (npm ci does it)\n');
  process.exit(70);
}
await import(bundle.href);
