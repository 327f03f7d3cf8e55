// Inputs of bench:history: a recording of real hostmetrics (OTLP JSON lines, see record.ts)
// translated to Prometheus samples exactly as the history exporter does, and the NAB series.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeJson } from '../../src/otlp/index.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { defaultTranslateOptions, translateMetrics } from '../../src/prometheus/index.js';
import { STALE_NAN } from '../../src/promql/queryable.js';
import type { AppendSample } from '../../src/tsdb/index.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** One scrape's samples, as the history exporter appends them. */
export function toSamples(md: MetricsData): AppendSample[] {
  const out: AppendSample[] = [];
  for (const f of translateMetrics(md, defaultTranslateOptions).families)
    for (const s of f.samples) {
      const labels: Record<string, string> = {};
      for (const l of s.labels) labels[l.name] = l.value;
      const counter = f.type === 'counter' || f.type === 'histogram';
      out.push({ labels, t: s.timestampMs, v: s.stale ? STALE_NAN : s.value, kind: counter ? 'counter' : 'gauge' });
    }
  return out;
}

export function readRecording(path: string): { md: MetricsData[]; batches: AppendSample[][]; samples: number; seconds: number; series: number } {
  const md = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => decodeJson('metrics', l));
  const batches = md.map(toSamples);
  const keys = new Set<string>();
  let samples = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const b of batches)
    for (const s of b) {
      samples++;
      if (s.t < lo) lo = s.t;
      if (s.t > hi) hi = s.t;
      keys.add(JSON.stringify(s.labels));
    }
  return { md, batches, samples, seconds: (hi - lo) / 1000, series: keys.size };
}

/** ../shared/datasets beside the checkout (or a worktree of it), or $TELEMD_DATASETS. */
export function datasetsDir(): string | undefined {
  const cands = [process.env.TELEMD_DATASETS, join(ROOT, '..', 'shared', 'datasets'), join(ROOT, '..', '..', 'shared', 'datasets')];
  return cands.find((d) => d && existsSync(d));
}

export interface NabFile {
  category: string;
  file: string;
  t: number[];
  v: number[];
}

const parseTime = (s: string): number => Date.parse(s.trim().replace(' ', 'T').replace(/(\.\d{3})\d*$/, '$1') + 'Z');

export function readNab(dir: string): NabFile[] {
  const out: NabFile[] = [];
  for (const cat of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort())
    for (const file of readdirSync(join(dir, cat)).filter((f) => f.endsWith('.csv')).sort()) {
      const rows = readFileSync(join(dir, cat, file), 'utf8').split('\n').slice(1).filter(Boolean);
      const t: number[] = [];
      const v: number[] = [];
      for (const r of rows) {
        const [ts, val] = r.split(',');
        t.push(parseTime(ts!));
        v.push(Number(val));
      }
      out.push({ category: cat, file, t, v });
    }
  return out;
}

/** Sizes of every file under a directory (bytes). */
export function duBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += duBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}
