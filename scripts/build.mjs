// Bundles the agent into dist/telemd.js with esbuild (well under a second), and the web console
// (extensions/console/web) into dist/console/: minified, content-hashed assets with gzip twins,
// so the agent serves them from the package with no network. Type checking is `npm run
// typecheck`. The agent's dependencies stay external: they are loaded from node_modules.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';

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

// The web console: one script and one stylesheet (uPlot's included), hashed names so a browser
// keeps them for good; index.html is the only file fetched again on a warm load.
const web = await build({
  entryPoints: { app: 'extensions/console/web/main.ts' },
  outdir: 'dist/console/assets',
  entryNames: '[name]-[hash]',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
  write: false,
});
rmSync('dist/console', { recursive: true, force: true });
mkdirSync('dist/console/assets', { recursive: true });
const files = {};
for (const f of web.outputFiles) {
  writeFileSync(f.path, f.contents);
  const gz = gzipSync(f.contents, { level: 9 });
  writeFileSync(`${f.path}.gz`, gz);
  files[basename(f.path)] = { bytes: f.contents.length, gzip_bytes: gz.length };
}
const js = Object.keys(files).find((n) => n.endsWith('.js'));
const css = Object.keys(files).find((n) => n.endsWith('.css'));
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>telemd</title>
<link rel="stylesheet" href="/assets/${css}">
<script type="module" src="/assets/${js}"></script>
</head>
<body><noscript>The telemd console needs JavaScript.</noscript></body>
</html>
`;
writeFileSync('dist/console/index.html', html);
const htmlGz = gzipSync(html, { level: 9 });
writeFileSync('dist/console/index.html.gz', htmlGz);
files['index.html'] = { bytes: Buffer.byteLength(html), gzip_bytes: htmlGz.length };
const total = Object.values(files).reduce((n, f) => n + f.gzip_bytes, 0);
writeFileSync('dist/console/manifest.json', `${JSON.stringify({ files, gzip_bytes_total: total }, null, 2)}\n`);
