// Bundles the agent into dist/telemd.js with esbuild (well under a second); type checking is
// `npm run typecheck`. Dependencies stay external: they are loaded from node_modules.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const out = await build({
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
  write: false,
});
// V8 keeps a module's source for lazy compilation, two bytes per character as soon as one
// character is beyond Latin-1 (an arrow or a dash in a comment): escaping those few keeps the
// bundle's source at one byte per character (1 MB less RSS). Escapes mean the same in strings,
// regexps and identifiers, and nothing in comments.
mkdirSync('dist', { recursive: true });
for (const f of out.outputFiles) {
  const text = f.path.endsWith('.js') ? f.text.replace(/[^\x00-\xff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : f.text;
  writeFileSync(f.path, text);
}

// The man page and bash completion, generated from the command specs (the same source as --help).
import { execFileSync } from 'node:child_process';
const bundle = new URL('../dist/telemd.js', import.meta.url).pathname;
writeFileSync('dist/telemd.1', execFileSync(process.execPath, [bundle, 'man']));
writeFileSync('dist/telemd.bash-completion', execFileSync(process.execPath, [bundle, 'completion', 'bash']));
