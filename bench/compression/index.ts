// How small the file exporter's rotated logs get (issue 14, "Logs kept small"): a real telemd
// tails the Loghub-2k logs (filelog → file, OTLP JSON lines), and the output is compressed by the
// exporter's own rotation code (compressFile: gzip, zstd at several levels). Ratio = raw text of
// the input lines / compressed bytes (goal ≥ 12:1 with zstd; gzip was 8.35:1). One parameter set
// for every system; each system's own ratio (tailed and compressed alone) is printed beside the
// full-set figure, as folds.
//   npm run bench:compression [-- --data ../shared/datasets/loghub-2k] [--levels 3,9,19]
// Includes: the JSON the exporter really writes (attributes, timestamps), compression time.
// Excludes: the time to tail the logs (measured by bench:filelog).
console.log("includes: a real telemd tailing the Loghub-2k logs (filelog -> file) and the exporter\\'s own rotation compression, ratio = raw input bytes / compressed bytes; excludes: timing (sizes only), ../shared/datasets when absent");
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compressFile, type Compression } from '../../exporters/file/compress.js';
import { startAgent, tempDir } from '../../test/helpers/agent.js';

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1]! : d);
const DATA = resolve(opt('--data', '../shared/datasets/loghub-2k'));
const LEVELS = opt('--levels', '3,9,19').split(',').map(Number);
if (!existsSync(DATA)) {
  console.log(`bench:compression: ${DATA} not found; skipped`);
  process.exit(0);
}
const systems = readdirSync(DATA, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const logOf = (sys: string) => join(DATA, sys, `${sys}_2k.log`);

/** OTLP JSON the file exporter writes for these log files (a real agent, filelog from the start). */
async function exported(files: string[]): Promise<string> {
  const dir = tempDir();
  const lines = files.reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').filter(Boolean).length, 0);
  const agent = await startAgent({
    dir,
    config: `
receivers:
  filelog: { include: [${files.map((f) => JSON.stringify(f)).join(', ')}], start_at: beginning }
processors:
  batch: {}
exporters:
  file: { path: ${dir}/out.jsonl }
service:
  pipelines: { logs: { receivers: [filelog], processors: [batch], exporters: [file] } }

`,
  });
  const end = Date.now() + 60_000;
  for (;;) {
    const text = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    const sent = Number(/^telemd_exporter_sent_items_total\{[^}]*exporter="file"[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
    if (sent >= lines) break;
    if (Date.now() > end) throw new Error(`only ${sent} of ${lines} lines written`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await agent.stop();
  return join(dir, 'out.jsonl');
}

/** Size of `path` compressed by the exporter's rotation code, and the CPU time it took. */
async function compressed(path: string, c: Compression, level?: number): Promise<{ bytes: number; ms: number }> {
  const copy = `${path}.${c}${level ?? ''}`;
  copyFileSync(path, copy);
  const cpu0 = process.cpuUsage();
  const out = await compressFile(copy, c, level);
  const cpu = process.cpuUsage(cpu0);
  return { bytes: statSync(out).size, ms: (cpu.user + cpu.system) / 1000 };
}

const codecs: { name: string; c: Compression; level?: number }[] = [
  { name: 'gzip -6 (default)', c: 'gzip' },
  { name: 'gzip -9', c: 'gzip', level: 9 },
  ...LEVELS.map((l) => ({ name: `zstd -${l}${l === 9 ? ' (default)' : ''}`, c: 'zstd' as const, level: l })),
];

const raw = (files: string[]) => files.reduce((n, f) => n + statSync(f).size, 0);
const allFiles = systems.map(logOf);
const full = await exported(allFiles);
const rawAll = raw(allFiles);
console.log(`bench:compression — ${systems.length} Loghub-2k systems, ${rawAll} bytes of raw text → ${statSync(full).size} bytes of OTLP JSON from filelog → file`);
console.log('ratio = raw text bytes / compressed bytes (the JSON the exporter writes, compressed by its rotation code); includes compression CPU time, excludes tailing');
const fullRows: Record<string, { ratio: number; ms: number }> = {};
for (const k of codecs) {
  const r = await compressed(full, k.c, k.level);
  fullRows[k.name] = { ratio: rawAll / r.bytes, ms: r.ms };
}
// Folds: each system tailed and compressed alone (smaller files, fewer shared strings).
const folds: Record<string, number[]> = Object.fromEntries(codecs.map((k) => [k.name, []]));
for (const sys of systems) {
  const out = await exported([logOf(sys)]);
  for (const k of codecs) folds[k.name]!.push(raw([logOf(sys)]) / (await compressed(out, k.c, k.level)).bytes);
}
console.log(`${'codec'.padEnd(20)} ${'full set'.padStart(9)} ${'CPU ms'.padStart(8)}   per system (folds): min / median / max`);
for (const k of codecs) {
  const f = [...folds[k.name]!].sort((a, b) => a - b);
  const row = fullRows[k.name]!;
  console.log(`${k.name.padEnd(20)} ${row.ratio.toFixed(2).padStart(7)}:1 ${row.ms.toFixed(0).padStart(8)}   ${f[0]!.toFixed(2)} / ${f[Math.floor(f.length / 2)]!.toFixed(2)} / ${f[f.length - 1]!.toFixed(2)}`);
}
console.log(`per system, zstd -9: ${systems.map((s, i) => `${s} ${folds['zstd -9 (default)']?.[i]?.toFixed(1) ?? '-'}`).join(', ')}`);
console.log(`goal: zstd ≥ 12:1 against the raw text (gzip -6 here: ${fullRows['gzip -6 (default)']!.ratio.toFixed(2)}:1)`);
