// Peers on the same samples: Prometheus' own TSDB (blocks written by `promtool tsdb
// create-blocks-from openmetrics`, then served by `prometheus` for query latency) and
// VictoriaMetrics (imported over its HTTP API, flushed and merged).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { AppendSample } from '../../src/tsdb/index.js';
import { isStaleNaN } from '../../src/promql/queryable.js';
import { duBytes } from './data.js';

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const fmt = (v: number) => (v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : Number.isNaN(v) ? 'NaN' : String(v));

function bySeries(batches: AppendSample[][]): Map<string, { name: string; labels: string; t: number[]; v: number[] }> {
  const m = new Map<string, { name: string; labels: string; t: number[]; v: number[] }>();
  for (const b of batches)
    for (const s of b) {
      if (isStaleNaN(s.v)) continue; // no text form for the marker
      const names = Object.keys(s.labels).filter((n) => n !== '__name__').sort();
      const labels = names.map((n) => `${n}="${esc(s.labels[n]!)}"`).join(',');
      const key = `${s.labels.__name__}{${labels}}`;
      let e = m.get(key);
      if (!e) m.set(key, (e = { name: s.labels.__name__!, labels, t: [], v: [] }));
      e.t.push(s.t);
      e.v.push(s.v);
    }
  return m;
}

/** Prometheus' TSDB for the samples: block bytes (chunks + index + meta), and the data dir. */
export function promtoolBlocks(batches: AppendSample[][], dir: string, maxBlockHours?: number): { bytes: number; samples: number; blocks: number } | undefined {
  if (!have('promtool')) return undefined;
  mkdirSync(dir, { recursive: true });
  const series = bySeries(batches);
  const lines: string[] = [];
  const typed = new Set<string>();
  let samples = 0;
  // Families must be contiguous in OpenMetrics: group series by name.
  for (const e of [...series.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!typed.has(e.name)) {
      lines.push(`# TYPE ${e.name} unknown`);
      typed.add(e.name);
    }
    const sel = e.labels ? `${e.name}{${e.labels}}` : e.name;
    for (let i = 0; i < e.t.length; i++) lines.push(`${sel} ${fmt(e.v[i]!)} ${(e.t[i]! / 1000).toFixed(3)}`);
    samples += e.t.length;
  }
  lines.push('# EOF');
  const file = join(dir, 'input.om');
  writeFileSync(file, lines.join('\n') + '\n');
  const out = join(dir, 'data');
  const extra = maxBlockHours ? [`--max-block-duration=${maxBlockHours}h`] : [];
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', ...extra, file, out], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    console.log(`  promtool failed: ${(r.stderr || r.stdout).slice(0, 500)}`);
    return undefined;
  }
  const blocks = readdirSync(out).filter((n) => statSync(join(out, n)).isDirectory());
  return { bytes: duBytes(out), samples, blocks: blocks.length };
}

async function until(fn: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('peer did not get ready');
}

export interface RunningPeer {
  url: string;
  stop(): Promise<void>;
}

function stopper(p: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((r) => {
      if (p.exitCode !== null || p.signalCode !== null) return r();
      p.once('exit', () => r());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 10_000).unref();
    });
}

/** `prometheus` serving a data dir written by promtool (no scraping), for queries. */
export async function prometheusOn(dataDir: string): Promise<RunningPeer | undefined> {
  if (!have('prometheus')) return undefined;
  const port = await freePort();
  const cfg = join(dataDir, '..', 'prometheus.yml');
  writeFileSync(cfg, 'global: {}\n');
  const p = spawn('prometheus', [`--config.file=${cfg}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/-/ready`)).ok, 60_000);
  return { url, stop: stopper(p) };
}

/** VictoriaMetrics' data dir size for the samples (imported, flushed, merged). */
export interface VmResult {
  bytes: number;
  dataBytes: number;
  samples: number;
  /** Rows VictoriaMetrics says it inserted. */
  inserted: number;
  /** Values that came back different from what was imported (VictoriaMetrics rounds), and the worst relative error. */
  changed: number;
  maxRelErr: number;
}

export async function victoriaMetrics(batches: AppendSample[][], dir: string): Promise<VmResult | undefined> {
  if (!have('victoria-metrics')) return undefined;
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const p = spawn('victoria-metrics', [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'], { stdio: 'ignore' });
  const stop = stopper(p);
  const url = `http://127.0.0.1:${port}`;
  try {
    await until(async () => (await fetch(`${url}/health`)).ok, 30_000);
    const series = bySeries(batches);
    let samples = 0;
    let body: string[] = [];
    const flush = async () => {
      if (!body.length) return;
      const r = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: body.join('\n') + '\n' });
      if (!r.ok) throw new Error(`victoria-metrics import: ${r.status} ${await r.text()}`);
      body = [];
    };
    for (const e of series.values()) {
      const sel = e.labels ? `${e.name}{${e.labels}}` : e.name;
      for (let i = 0; i < e.t.length; i++) {
        body.push(`${sel} ${fmt(e.v[i]!)} ${e.t[i]!}`);
        samples++;
        if (body.length >= 50_000) await flush();
      }
    }
    await flush();
    await fetch(`${url}/internal/force_flush`);
    // Merge every partition into its final parts, as VictoriaMetrics does over time.
    const months = new Set<string>();
    for (const e of series.values()) for (const t of [e.t[0]!, e.t[e.t.length - 1]!]) months.add(new Date(t).toISOString().slice(0, 7).replace('-', '_'));
    for (const m of months) await fetch(`${url}/internal/force_merge?partition_prefix=${m}`);
    await new Promise((r) => setTimeout(r, 3000));
    await fetch(`${url}/internal/force_flush`);
    const dataBytes = duBytes(join(dir, 'data'));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const inserted = Number(/^vm_rows_inserted_total\{type="prometheus"\} (\d+)/m.exec(metrics)?.[1] ?? NaN);
    // Read everything back: does it return what it was given?
    let changed = 0;
    let maxRelErr = 0;
    const exp = await (await fetch(`${url}/api/v1/export?match[]=${encodeURIComponent('{__name__=~".+"}')}&start=0&end=4000000000`)).text();
    for (const line of exp.split('\n')) {
      if (!line) continue;
      const j = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
      const names = Object.keys(j.metric).filter((n) => n !== '__name__').sort();
      const e = series.get(`${j.metric.__name__}{${names.map((n) => `${n}="${esc(j.metric[n]!)}"`).join(',')}}`);
      if (!e) continue;
      const want = new Map<number, number | undefined>();
      e.t.forEach((t, i) => want.set(t, want.has(t) ? undefined : e.v[i])); // duplicates: not compared
      j.timestamps.forEach((t, i) => {
        const w = want.get(t);
        const v = j.values[i]!;
        if (w === undefined || Object.is(w, v) || (Number.isNaN(w) && Number.isNaN(v))) return;
        changed++;
        maxRelErr = Math.max(maxRelErr, Math.abs(v - w) / Math.abs(w));
      });
    }
    return { bytes: duBytes(dir), dataBytes, samples, inserted, changed, maxRelErr };
  } finally {
    await stop();
  }
}
