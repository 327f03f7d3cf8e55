// NAB runner and scorer. Usage:
//   npm run bench:nab -- --data ../shared/datasets/nab/data --out DIR       (write results)
//   npm run bench:nab -- --score --data ../shared/datasets/nab/data --labels ../shared/datasets/nab/labels
// The detector is the anomaly processor's own (src/analysis/detector.ts), fresh per file,
// one parameter set for all files.
console.log('includes: the anomaly detector over the NAB files in this process and the official NAB scoring rules; excludes: timing, datasets when absent');
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { AnomalyDetector, DETECTOR_BYTES } from '../../src/analysis/detector.js';
import { PROFILES, scoreCorpus, type ScoredFile } from './score.js';
import { windowedGaussian } from './peer.js';
import { processorCost } from './cost.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const scoreMode = process.argv.includes('--score');
const dataDir = resolve(arg('--data') ?? '../shared/datasets/nab/data');
const outDir = arg('--out');
const labelsDir = resolve(arg('--labels') ?? join(dirname(dataDir), 'labels'));

console.log(await processorCost());
if (!existsSync(dataDir)) {
  console.log(`bench:nab skipped: ${dataDir} is absent`);
  process.exit(0);
}
if (!outDir && !scoreMode) {
  console.error('bench:nab: give --out DIR (write results) and/or --score (print NAB scores)');
  process.exit(2);
}

/** NAB timestamps are UTC `YYYY-MM-DD HH:MM:SS[.ffffff]`. */
const parseTime = (s: string): number => Date.parse(s.trim().replace(' ', 'T').replace(/(\.\d{3})\d*$/, '$1') + 'Z');

const files: string[] = [];
for (const cat of readdirSync(dataDir, { withFileTypes: true }))
  if (cat.isDirectory())
    for (const f of readdirSync(join(dataDir, cat.name)).sort()) if (f.endsWith('.csv')) files.push(`${cat.name}/${f}`);
files.sort();

const windows: Record<string, [string, string][]> = scoreMode
  ? JSON.parse(readFileSync(join(labelsDir, 'combined_windows.json'), 'utf8'))
  : {};

const scored: ScoredFile[] = [];
const peer: ScoredFile[] = [];
let points = 0;
let busyMs = 0;
for (const rel of files) {
  const lines = readFileSync(join(dataDir, rel), 'utf8').split('\n').slice(1).filter((l) => l.trim());
  const raw = lines.map((l) => {
    const c = l.indexOf(',');
    return { ts: l.slice(0, c), text: l.slice(c + 1).trim(), value: Number(l.slice(c + 1)) };
  });
  const times = raw.map((r) => parseTime(r.ts));
  const det = new AnomalyDetector();
  const scores = new Array<number>(raw.length);
  const t0 = performance.now();
  for (let i = 0; i < raw.length; i++) scores[i] = det.update(times[i]! / 1000, raw[i]!.value);
  busyMs += performance.now() - t0;
  points += raw.length;
  if (outDir) {
    const dir = join(outDir, dirname(rel));
    mkdirSync(dir, { recursive: true });
    const body = raw.map((r, i) => `${r.ts},${r.text},${scores[i]!.toFixed(6)}`).join('\n');
    writeFileSync(join(outDir, rel), `timestamp,value,anomaly_score\n${body}\n`);
  }
  if (scoreMode) {
    const w = windows[rel];
    if (!w) console.warn(`no labels for ${rel}; scored as having no windows`);
    const win = (w ?? []).map(([s, e]) => [parseTime(s), parseTime(e)] as [number, number]);
    scored.push({ name: rel, times, scores, windows: win });
    peer.push({ name: rel, times, scores: windowedGaussian(raw.map((r) => r.value)), windows: win });
  }
}

const load = loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`files ${files.length}, points ${points}, detector ${(points / (busyMs / 1000) / 1e3).toFixed(0)}k points/s, ~${DETECTOR_BYTES} B state per series, load ${load}`);
if (outDir) console.log(`results written to ${resolve(outDir)}`);
if (scoreMode) {
  const published: [string, number][] = [
    ['Numenta HTM', 70.1], ['CAD OSE', 69.9], ['KNN CAD', 58.0], ['Relative Entropy', 54.6],
    ['Twitter ADVec', 47.1], ['Windowed Gaussian', 39.6],
  ];
  console.log('profile              threshold   score   TP  FP  FN   peer: windowed Gaussian (same scorer)   ratio');
  for (const p of PROFILES) {
    const r = scoreCorpus(scored, p);
    const q = scoreCorpus(peer, p);
    console.log(
      `${r.profile.padEnd(20)} ${r.threshold.toFixed(4).padStart(9)} ${r.normalized.toFixed(1).padStart(7)} ${String(r.tp).padStart(4)} ${String(r.fp).padStart(3)} ${String(r.fn).padStart(3)}` +
        `   ${q.normalized.toFixed(1).padStart(6)} (TP ${q.tp} FP ${q.fp} FN ${q.fn})`.padEnd(40) +
        `${(r.normalized / q.normalized).toFixed(2).padStart(7)}x`,
    );
  }
  console.log(`published standard scores (full 58-file corpus): ${published.map(([n, s]) => `${n} ${s}`).join(', ')}`);
  console.log(`note: this run covers ${files.length} files; scores on a subset are not directly comparable`);
}
