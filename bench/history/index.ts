// bench:history — the history store (src/tsdb) on real data, side by side with Prometheus' TSDB
// (promtool create-blocks-from openmetrics, prometheus for queries) and VictoriaMetrics on the
// same samples.
//   npm run bench:history [-- --live-seconds 60] [--no-peers] [--recording PATH]
// Record the hour of 1 s hostmetrics first (once, it takes an hour):
//   npx tsx bench/history/record.ts            -> .bench-out/history/hostmetrics-1s.jsonl
// Figures: bytes per sample (hostmetrics hour, a short live recording, NAB), append CPU per
// sample and batch latency, query latency of 1 h at 1 s of 100 series, memory per active series.
console.log('includes: the history store on recorded 1 s hostmetrics side by side with Prometheus TSDB and VictoriaMetrics on the same samples (their own processes); excludes: the recording itself, peers absent from the machine');
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import pino from 'pino';
import { ParseContext } from '../../src/config/schema.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { decodeJson } from '../../src/otlp/index.js';
import { evalRange, MemoryQueryable } from '../../src/promql/index.js';
import { Tsdb, type AppendSample, type TsdbOptions } from '../../src/tsdb/index.js';
import { configSchema as hostmetricsSchema } from '../../receivers/hostmetrics/config.js';
import { HostMetricsReceiver } from '../../receivers/hostmetrics/receiver.js';
import { configSchema as historySchema } from '../../exporters/history/config.js';
import { HistoryExporter } from '../../exporters/history/exporter.js';
import { datasetsDir, readNab, readRecording, ROOT, toSamples } from './data.js';
import { prometheusOn, promtoolBlocks, victoriaMetrics } from './peers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const peers = !process.argv.includes('--no-peers');
// --sections 1,3 runs only those (1 sizes, 2 append, 3 queries, 4 memory).
const sections = new Set((arg('sections') ?? '1,2,3,4').split(',').map(Number));
const liveSeconds = Number(arg('live-seconds') ?? 60);
const recording = arg('recording') ?? join(ROOT, '.bench-out', 'history', 'hostmetrics-1s.jsonl');
const work = mkdtempSync(join(tmpdir(), 'telemd-bench-history-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
let dirs = 0;
const newDir = (name: string) => join(work, `${name}-${dirs++}`);
const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function open(opts: Partial<TsdbOptions> = {}): Promise<Tsdb> {
  return Tsdb.open({ dir: newDir('telemd'), ...opts });
}

interface SizeRow {
  label: string;
  samples: number;
  telemd: number;
  tiers: { name: string; bytes: number; points: number }[];
  walPeak: number;
  prom?: number;
  vm?: number;
  vmData?: number;
  vmChanged?: string;
  refused: number;
}

/** Appends the batches, cuts everything into blocks and measures bytes per sample on disk. */
async function sizes(label: string, batches: AppendSample[][], opts: Partial<TsdbOptions> = {}, promBlockHours?: number): Promise<SizeRow> {
  const db = await open(opts);
  let samples = 0;
  let walPeak = 0;
  let refused = 0;
  for (const b of batches) {
    const r = await db.append(b);
    samples += r.appended;
    for (const n of Object.values(r.refused)) refused += n ?? 0;
    const w = db.stats().walBytes;
    if (w > walPeak) walPeak = w;
  }
  await db.flush();
  const st = db.stats();
  await db.close();
  const row: SizeRow = { label, samples, refused, telemd: st.tiers[0]!.bytes, tiers: st.tiers.map((t) => ({ name: t.name, bytes: t.bytes, points: t.samples })), walPeak };
  if (peers) {
    const p = promtoolBlocks(batches, newDir('promtool'), promBlockHours);
    if (p) row.prom = p.bytes;
    const v = await victoriaMetrics(batches, newDir('vm')).catch((err: unknown) => (console.log(`  victoria-metrics: ${(err as Error).message}`), undefined));
    if (v) {
      row.vm = v.bytes;
      row.vmData = v.dataBytes;
      row.vmChanged = `${v.inserted} rows inserted; ${v.changed} values read back changed, max relative error ${v.maxRelErr.toExponential(1)}`;
    }
  }
  return row;
}

function printSize(r: SizeRow): void {
  const bps = (b: number) => b / r.samples;
  const t = bps(r.telemd);
  console.log(`  ${r.label}: ${r.samples} samples` + (r.refused ? ` (${r.refused} refused: a second value for a timestamp; the peers get all)` : ''));
  console.log(`    telemd history, raw tier   ${f(t)} B/sample (${r.telemd} B of blocks, index included; ${f(16 / t, 1)}:1 against 16-byte samples)`);
  for (const x of r.tiers.slice(1)) console.log(`      roll-up tier ${x.name.padEnd(4)}       ${x.points} points, ${x.bytes} B (${f(x.bytes / Math.max(1, x.points), 1)} B/point, 5-6 aggregates each)`);
  console.log(`      WAL at its largest       ${r.walPeak} B (${f(r.walPeak / r.samples, 2)} B/sample of the run; truncated at each cut)`);
  if (r.prom !== undefined) console.log(`    Prometheus 2.42 TSDB       ${f(bps(r.prom))} B/sample (promtool blocks: chunks + index)  -> telemd ${f(r.prom / r.telemd, 2)}x smaller`);
  if (r.vm !== undefined)
    console.log(`    VictoriaMetrics            ${f(bps(r.vm))} B/sample (whole data dir; data parts alone ${f(bps(r.vmData!))})  -> telemd ${f(r.vm / r.telemd, 2)}x smaller; ${r.vmChanged}`);
}

// ---------- inputs ----------

async function liveRecording(seconds: number): Promise<MetricsData[]> {
  const ctx = new ParseContext();
  const cfg = hostmetricsSchema.parse(
    { collection_interval: '1h', scrapers: { cpu: { per_cpu: true }, memory: null, load: null, filesystem: null, network: null, disk: null, paging: null, processes: null, system: null } },
    ctx,
  );
  const r = new HostMetricsReceiver(
    { id: { type: 'hostmetrics', name: '', id: 'hostmetrics' }, kind: 'receiver', logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) },
    cfg,
    { consume: async () => {} },
  );
  await r.start({ getExtension: () => undefined, getStorage: () => Promise.reject(new Error('none')), reportFatal: () => {} } as never);
  await r.shutdown();
  const out: MetricsData[] = [];
  const start = Date.now();
  for (let i = 0; i < seconds; i++) {
    out.push(await r.scrapeOnce());
    await new Promise((res) => setTimeout(res, Math.max(0, start + (i + 1) * 1000 - Date.now())));
  }
  return out;
}

/** Runs one section in a process of its own: the recordings held here would make GC pauses the figure. */
function inChild(section: number): void {
  const args = ['--import', 'tsx', import.meta.filename, '--sections', String(section), '--in-child', '--recording', recording, ...(peers ? [] : ['--no-peers'])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 });
  process.stdout.write(r.stdout.split('\n').filter((l) => !l.startsWith('bench:history on')).join('\n'));
}

// ---------- sections ----------

console.log(`bench:history on ${process.version}, ${(await import('node:os')).cpus().length} CPUs, load ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
let hour: ReturnType<typeof readRecording> | undefined;
if (sections.has(1)) {
  console.log('\n1. Bytes per sample on disk (all samples cut into blocks; default tiers: raw, 1m, 1h; 1 h blocks)');
  if (existsSync(recording)) {
    hour = readRecording(recording);
    console.log(`  recording ${recording}: ${hour.md.length} scrapes over ${f(hour.seconds / 60, 1)} min, ${hour.series} series`);
    printSize(await sizes('hostmetrics at 1 s, every default scraper (per_cpu), the recorded hour', hour.batches));
  } else console.log(`  (no recording at ${recording}: run \`npx tsx bench/history/record.ts\` once, it takes an hour)`);
  if (liveSeconds > 0) {
    console.log(`  recording ${liveSeconds} s of live hostmetrics at 1 s in-process...`);
    const live = (await liveRecording(liveSeconds)).map(toSamples);
    printSize(await sizes(`hostmetrics at 1 s, live, ${liveSeconds} s`, live));
}
const ds = datasetsDir();
const nabDir = ds ? join(ds, 'nab', 'data') : undefined;
if (nabDir && existsSync(nabDir)) {
  const nab = readNab(nabDir);
  const toBatches = (files: typeof nab) => {
    // Each file is one series; all appended in time order, 1 d blocks (NAB is 5 min data).
    const bs: AppendSample[][] = [];
    for (const x of files) {
      const labels = { __name__: 'nab_value', category: x.category, file: x.file };
      const b: AppendSample[] = [];
      for (let i = 0; i < x.t.length; i++) b.push({ labels, t: x.t[i]!, v: x.v[i]!, kind: 'gauge' });
      bs.push(b);
    }
    return bs;
  };
  // NAB files span weeks to a year at 5-minute steps: roll-ups and retention are not the
  // question here, so the raw tier keeps everything, in 31-day blocks (the largest blocks
  // Prometheus compacts to; promtool is given the same).
  const nabOpts: Partial<TsdbOptions> = { tiers: [{ resolutionMs: 0, retentionMs: 100 * 365 * 86_400_000 }], blockDurationMs: 31 * 86_400_000, maxSizeBytes: 0 };
  console.log(`  NAB (${nab.length} files, one series each; raw tier only, 31 d blocks for telemd and Prometheus), folds by category:`);
  const cats = [...new Set(nab.map((x) => x.category))];
  // What a general-purpose compressor makes of the values alone (shortest decimal text, no
  // timestamps): a reference for how much information the values carry.
  const xzValues = (files: typeof nab) => {
    const text = files.map((x) => x.v.join('\n')).join('\n');
    const r = spawnSync('xz', ['-9e', '-c'], { input: text, maxBuffer: 64 * 1024 * 1024 });
    return r.status === 0 ? r.stdout.length / files.reduce((k, x) => k + x.v.length, 0) : NaN;
  };
  for (const c of cats) {
    const r = await sizes(`NAB ${c}`, toBatches(nab.filter((x) => x.category === c)), nabOpts, 744);
    console.log(`    ${c.padEnd(22)} ${f(r.telemd / r.samples)} B/sample   (xz -9e of the values alone ${f(xzValues(nab.filter((x) => x.category === c)))})` + (r.prom ? `   Prometheus ${f(r.prom / r.samples)}` : '') + (r.vm ? `   VictoriaMetrics ${f(r.vm / r.samples)} (${r.vmChanged!.split('; ')[1]})` : ''));
  }
  printSize(await sizes('NAB, all files', toBatches(nab), nabOpts, 744));
  console.log(`    (xz -9e of the values alone, as text, no timestamps: ${f(xzValues(nab))} B/sample)`);
} else console.log('  (NAB skipped: ../shared/datasets/nab is absent)');

}
if (!hour && sections.has(3) && process.argv.includes('--in-child') && existsSync(recording)) hour = readRecording(recording);
if (sections.has(2) && !process.argv.includes('--in-child')) {
  inChild(2);
} else if (sections.has(2)) {
  // Batches arrive and die young, as in the agent: only the JSON lines stay in memory; each
  // batch is decoded and translated untimed, just before its timed append.
  console.log('\n2. Append cost (the hour of hostmetrics replayed batch by batch as the agent gets it; each append awaited)');
  if (existsSync(recording)) {
    const lines = readFileSync(recording, 'utf8').split('\n').filter(Boolean);
    // CPU of the append = CPU of the loop minus that of the same loop without appending (the
    // decoding's garbage is collected on other threads while an append waits for its write).
    const loopCpu = async (fn: (b: AppendSample[], md: MetricsData) => Promise<unknown>): Promise<number> => {
      gc();
      const c0 = process.cpuUsage();
      for (const line of lines) {
        const md = decodeJson('metrics', line);
        await fn(toSamples(md), md);
      }
      const c = process.cpuUsage(c0);
      return c.user + c.system;
    };
    const base = Math.min(await loopCpu(async () => {}), await loopCpu(async () => {}));
    for (const interval of [1000, 0]) {
      const db = await open({ walFsyncIntervalMs: interval });
      const lat: number[] = [];
      // CPU of the process during each append (this thread and the pool's): on a shared machine
      // the wall-clock latency also holds the waits for a core, this does not.
      const latCpu: number[] = [];
      let n = 0;
      const cpu =
        (await loopCpu(async (b) => {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          n += (await db.append(b)).appended;
          lat.push(performance.now() - t0);
          const c = process.cpuUsage(c0);
          latCpu.push((c.user + c.system) / 1000);
        })) - base;
      const f0 = process.cpuUsage();
      await db.flush();
      const fc = process.cpuUsage(f0);
      await db.close();
      console.log(
        `  wal_fsync_interval ${interval === 0 ? '0s (ack after fdatasync)' : '1s (default)'}: ${f(cpu / n, 2)} µs CPU per sample; ` +
          `batch of ${Math.round(n / lines.length)} samples: p50 ${f(pct(lat, 50))} ms, p99 ${f(pct(lat, 99))} ms, max ${f(Math.max(...lat))} ms ` +
          `(CPU per batch: p50 ${f(pct(latCpu, 50))} ms, p99 ${f(pct(latCpu, 99))} ms; load ${loadavg()[0]!.toFixed(2)}); ` +
          `cutting the hour into blocks: ${f((fc.user + fc.system) / n, 2)} µs CPU per sample`,
      );
    }
    // The exporter's whole path: OTLP points -> Prometheus samples -> append.
    const ctx = new ParseContext();
    const cfg = historySchema.parse({ directory: newDir('exporter') }, ctx);
    const exp = new HistoryExporter({ id: { type: 'history', name: '', id: 'history' }, kind: 'exporter', logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) }, cfg);
    await exp.start({} as never);
    let n = 0;
    const cpu =
      (await loopCpu(async (b, md) => {
        n += b.length;
        await exp.consumers.metrics!.consume(md);
      })) - base;
    console.log(`  history exporter (translation to Prometheus series + append): ${f(cpu / n, 2)} µs CPU per sample`);
    await exp.shutdown();
  } else console.log('  (needs the recording)');
}
if (sections.has(3) && !process.argv.includes('--in-child')) {
  inChild(3);
} else if (sections.has(3)) {
  console.log('\n3. Query latency: 1 h at 1 s of 100 series (range query, 15 s step; 30 runs each)');
  if (hour) {
    // The first 100 series of the recording, renamed into one family so one selector takes all.
    const keep = new Map<string, number>();
    for (const s of hour.batches[0]!) if (keep.size < 100) keep.set(JSON.stringify(s.labels), keep.size);
    const qb = hour.batches.map((b) =>
      b
        .filter((s) => keep.has(JSON.stringify(s.labels)))
        .map((s) => ({ labels: { __name__: 'bench_q', idx: String(keep.get(JSON.stringify(s.labels))) }, t: s.t, v: s.v, kind: 'counter' as const })),
    );
    let lo = Infinity;
    let hi = -Infinity;
    for (const b of qb) for (const s of b) (lo = Math.min(lo, s.t)), (hi = Math.max(hi, s.t));
    // The recording is no longer needed: drop it so its heap does not slow the timed queries.
    hour = undefined;
    const db = await open();
    for (const b of qb) await db.append(b);
    await db.flush();
    gc();
    const start = lo + 60_000;
    const end = hi;
    const step = 15_000;
    const runs = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < 10; i++) await fn();
      const ms: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        await fn();
        ms.push(performance.now() - t0);
      }
      return `p50 ${f(pct(ms, 50), 1)} ms, p90 ${f(pct(ms, 90), 1)} ms`;
    };
    const sel = await db.select({ minT: start - 60_000, maxT: end, stepMs: step, rangeMs: 60_000, func: 'rate' }, [{ name: '__name__', type: '=', value: 'bench_q' }]);
    const n = sel.reduce((k, s) => k + s.t.length, 0);
    console.log(`  telemd select (decode only), ${sel.length} series, ${n} samples: ${await runs(() => db.select({ minT: start - 60_000, maxT: end, stepMs: step, rangeMs: 60_000, func: 'rate' }, [{ name: '__name__', type: '=', value: 'bench_q' }]))}`);
    const queries = ['rate(bench_q[1m])', 'avg_over_time(bench_q[1m])'];
    for (const q of queries) console.log(`  telemd engine ${q.padEnd(28)} ${await runs(() => evalRange(db, q, start, end, step))}`);
    await db.close();
    // The engine's own in-memory Queryable on the same samples: what the engine costs without the store.
    const memq = new MemoryQueryable();
    for (const b of qb) for (const s of b) memq.append(s.labels, s.t, s.v);
    for (const q of queries) console.log(`  (engine over MemoryQueryable ${q.padEnd(26)} ${await runs(() => evalRange(memq, q, start, end, step))})`);
    if (peers) {
      const p = promtoolBlocks(qb, newDir('promtool-q'));
      const prom = p ? await prometheusOn(join(work, `promtool-q-${dirs - 1}`, 'data')) : undefined;
      if (prom) {
        try {
          for (const q of queries) {
            const url = `${prom.url}/api/v1/query_range?query=${encodeURIComponent(q)}&start=${start / 1000}&end=${end / 1000}&step=${step / 1000}`;
            const r = (await (await fetch(url)).json()) as { data: { result: unknown[] } };
            console.log(`  Prometheus 2.42 ${q.padEnd(26)} ${await runs(() => fetch(url).then((x) => x.text()))} (HTTP API, JSON included; ${r.data.result.length} series)`);
          }
        } finally {
          await prom.stop();
        }
      }
    }
  } else console.log('  (needs the recording)');

}
if (sections.has(4)) {
  console.log('\n4. Memory per active series (heap + typed arrays after GC, in a fresh process; staleness off)');
  {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'memory.ts'), '2000', '3600'], { cwd: ROOT, encoding: 'utf8' });
    const m = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { series: number; perSeriesOne: number; perSeriesFull: number; perSample: number; headSamples: number; headBytes: number };
    if (r.status !== 0 || !m.series) console.log(`  failed: ${r.stderr.slice(-500)}`);
    else {
      console.log(`  ${m.series} series with one sample each: ${f(m.perSeriesOne / 1024, 2)} KiB per series (labels, index, head, tail buffer)`);
      console.log(
        `  after 1 h at 1 s in the head (${m.headSamples / m.series} samples each, not yet cut): ${f(m.perSeriesFull / 1024, 2)} KiB per series, ` +
          `${f(m.perSample, 2)} B per sample held (head chunks ${f(m.headBytes / m.headSamples, 2)} B/sample)`,
      );
      console.log('  the head holds 1.5 to 2.5 block_duration of samples: up to 9000 per series at 1 s with 1 h blocks, 900 at 10 s');
    }
}
}
