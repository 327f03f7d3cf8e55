// Bundles the agent into dist/telemd.js with esbuild (well under a second); type checking is
// `npm run typecheck`. Dependencies stay external: they are loaded from node_modules.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: { telemd: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __TELEMD_VERSION__: JSON.stringify(pkg.version) },
});
