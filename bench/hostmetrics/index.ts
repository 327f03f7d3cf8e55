// bench:hostmetrics — the cost of one full host scrape, side by side with Debian's
// prometheus-node-exporter scraped over HTTP the same number of times.
//   BENCH_N=300 npm run bench:hostmetrics
// Reports: CPU ms and bytes allocated per scrape (in-process, scrape alone and scrape +
// Prometheus text rendering, the work node_exporter does per scrape), node_exporter's CPU per
// scrape from /proc/<pid>/stat, and the steady RSS of the real agent (dist/telemd.js) running
// hostmetrics every second.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import pino from 'pino';
import { ParseContext } from '../../src/config/schema.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { countMetricPoints } from '../../src/pdata/count.js';
import { translateMetrics, writeText, defaultTranslateOptions } from '../../src/prometheus/index.js';
import { configSchema } from '../../receivers/hostmetrics/config.js';
import { HostMetricsReceiver } from '../../receivers/hostmetrics/receiver.js';
import { freePort } from '../../test/helpers/ports.js';
import { startAgent } from '../../test/helpers/agent.js';
import { NODE_FLAGS } from '../../src/cli/unit.js';

const N = Number(process.env.BENCH_N ?? 300);
const WARMUP = 30;
const SCRAPERS = { cpu: null, memory: null, load: null, filesystem: null, network: null, disk: null, paging: null, processes: null, system: null };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const hostInfo = () => `load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}, ${execFileSync('nproc', { encoding: 'utf8' }).trim()} CPUs`;
const fmt = (x: number, d = 3) => x.toFixed(d);

/** A hostmetrics receiver for `scrapers`, driven by the bench through scrapeOnce(). */
async function scraper(scrapers: Record<string, unknown>): Promise<HostMetricsReceiver> {
  const ctx = new ParseContext();
  const cfg = configSchema.parse({ collection_interval: '1h', scrapers }, ctx);
  if (ctx.issues.length) throw new Error(JSON.stringify(ctx.issues));
  const r = new HostMetricsReceiver(
    { id: { type: 'hostmetrics', name: '', id: 'hostmetrics' }, kind: 'receiver', logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) },
    cfg,
    { consume: async () => {} },
  );
  await r.start({ getExtension: () => undefined, getStorage: () => Promise.reject(new Error('none')), reportFatal: () => {} } as never);
  await r.shutdown();
  return r;
}

async function telemdInProcess() {
  const r = await scraper(SCRAPERS);
  const render = (d: Awaited<ReturnType<typeof r.scrapeOnce>>) => writeText(translateMetrics(d, defaultTranslateOptions).families, { openMetrics: false, timestamps: false });
  for (let i = 0; i < WARMUP; i++) render(await r.scrapeOnce());

  const points = countMetricPoints(await r.scrapeOnce());
  const series = render(await r.scrapeOnce()).split('\n').filter((l) => l && !l.startsWith('#')).length;
  let c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await r.scrapeOnce();
  let c1 = process.cpuUsage(c0);
  const scrapeMs = (c1.user + c1.system) / 1000 / N;
  c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) render(await r.scrapeOnce());
  c1 = process.cpuUsage(c0);
  const renderMs = (c1.user + c1.system) / 1000 / N;

  // Allocation: heap growth across one scrape right after a full GC (young generation is far
  // larger than one scrape, so no collection runs in between).
  const allocs: number[] = [];
  for (let i = 0; i < 50; i++) {
    gc();
    const h0 = process.memoryUsage().heapUsed;
    const d = await r.scrapeOnce();
    const h1 = process.memoryUsage().heapUsed;
    if (d.resourceMetrics.length) allocs.push(h1 - h0);
  }
  allocs.sort((a, b) => a - b);

  // The opt-in process scraper, on its own: its cost grows with the number of processes.
  const pr = await scraper({ process: null });
  for (let i = 0; i < 5; i++) await pr.scrapeOnce();
  const procs = (await pr.scrapeOnce()).resourceMetrics.length;
  const P = Math.max(10, Math.round(N / 10));
  const pc0 = process.cpuUsage();
  for (let i = 0; i < P; i++) await pr.scrapeOnce();
  const pc = process.cpuUsage(pc0);
  const processMs = (pc.user + pc.system) / 1000 / P;
  return { points, series, scrapeMs, renderMs, processMs, procs, allocKiB: allocs[allocs.length >> 1]! / 1024, benchRssMiB: process.memoryUsage().rss / 2 ** 20 };
}

function procStat(pid: number): { cpuS: number; rssMiB: number } {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuS: (Number(f[11]) + Number(f[12])) / 100, rssMiB: rssKb / 1024 };
}

async function nodeExporter() {
  const bin = ['/usr/bin/prometheus-node-exporter', '/usr/sbin/prometheus-node-exporter'].find(existsSync);
  if (!bin) return undefined;
  const port = await freePort();
  const p = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = `http://127.0.0.1:${port}/metrics`;
  let stderr = '';
  p.stderr!.on('data', (b: Buffer) => (stderr += String(b)));
  const get = async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    return res.text();
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(url)).ok) break;
      } catch {
        if (i > 100) throw new Error('node_exporter did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    let body = '';
    for (let i = 0; i < WARMUP; i++) body = await get();
    const series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).split('\n')[0];
    const before = procStat(p.pid!);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await get();
    const wallMs = (performance.now() - t0) / N;
    const after = procStat(p.pid!);
    return { version, series, cpuMs: ((after.cpuS - before.cpuS) * 1000) / N, wallMs, rssMiB: after.rssMiB };
  } catch (e) {
    throw new Error(`node_exporter scrape failed: ${(e as Error).message}\n${stderr.slice(-2000)}`);
  } finally {
    p.kill();
  }
}

/**
 * The whole agent process, as node_exporter is measured: hostmetrics collecting every 100 ms (a
 * fresh collection for each scrape) → prometheus exporter, whose endpoint is scraped over HTTP N
 * times, one every 100 ms; CPU-seconds of the process from /proc/<pid>/stat over the N scrapes.
 */
async function telemdWholeProcess() {
  if (!existsSync(new URL('../../dist/telemd.js', import.meta.url))) return undefined;
  const promPort = await freePort();
  const a = await startAgent({
    nodeArgs: NODE_FLAGS.split(' '),
    config: `receivers:
  hostmetrics:
    collection_interval: 100ms
    scrapers: { cpu: , memory: , load: , filesystem: , network: , disk: , paging: , processes: , system: }
exporters:
  prometheus:
    endpoint: 127.0.0.1:${promPort}
service:
  pipelines:
    metrics: { receivers: [hostmetrics], exporters: [prometheus] }
`,
  });
  try {
    const url = `http://127.0.0.1:${promPort}/metrics`;
    let body = '';
    for (let i = 0; i < WARMUP; i++) body = await (await fetch(url)).text();
    const series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
    const pid = a.proc.pid!;
    const before = procStat(pid);
    for (let i = 0; i < N; i++) {
      await (await fetch(url)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = procStat(pid);
    return { series, cpuMs: ((after.cpuS - before.cpuS) * 1000) / N, rssMiB: after.rssMiB };
  } finally {
    await a.stop();
  }
}

async function agentRss() {
  if (!existsSync(new URL('../../dist/telemd.js', import.meta.url))) return undefined;
  const promPort = await freePort();
  const a = await startAgent({
    nodeArgs: NODE_FLAGS.split(' '), // as npm start and the systemd unit
    config: `receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers: { cpu: , memory: , load: , filesystem: , network: , disk: , paging: , processes: , system: }
processors:
  batch:
exporters:
  prometheus:
    endpoint: 127.0.0.1:${promPort}
service:
  pipelines:
    metrics: { receivers: [hostmetrics], processors: [batch], exporters: [prometheus] }
`,
  });
  try {
    const pid = a.proc.pid!;
    await new Promise((r) => setTimeout(r, 5000));
    const s0 = procStat(pid);
    const T = Number(process.env.BENCH_AGENT_SECONDS ?? 20);
    await new Promise((r) => setTimeout(r, T * 1000));
    const s1 = procStat(pid);
    const body = await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text();
    const anonKb = Number(/^RssAnon:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { rssMiB: s1.rssMiB, anonMiB: anonKb / 1024, cpuPerSecondMs: ((s1.cpuS - s0.cpuS) * 1000) / T, seconds: T, promSeries: body.split('\n').filter((l) => l && !l.startsWith('#')).length };
  } finally {
    await a.stop();
  }
}

console.log(`bench:hostmetrics  N=${N}  (${hostInfo()})`);
console.log(
  'includes: first, whole processes: the telemd agent (collecting every 100 ms, prometheus exporter) and node_exporter (collecting per scrape), each scraped over HTTP N times, CPU-seconds of the process from /proc/<pid>/stat; ' +
    'then telemd in-process (scrape alone, scrape + text rendering) and the agent at 1 s; excludes: start-up, warm-up scrapes, the HTTP client (this process).',
);
const ne = await nodeExporter();
const tw = await telemdWholeProcess();
if (tw) console.log(`telemd   whole process over HTTP:   ${fmt(tw.cpuMs)} ms CPU/scrape, ${tw.series} series, RSS ${fmt(tw.rssMiB, 1)} MiB`);
if (!ne) console.log('node_exporter: not installed (apt-get install prometheus-node-exporter) — comparison skipped');
else {
  console.log(`node_exporter (${ne.version}): ${fmt(ne.cpuMs)} ms CPU/scrape over HTTP, ${ne.series} series, ${fmt(ne.wallMs)} ms wall/scrape, RSS ${fmt(ne.rssMiB, 1)} MiB`);
  if (tw) console.log(`ratio whole process telemd/node_exporter CPU per scrape: ${fmt(tw.cpuMs / ne.cpuMs, 2)}; per 1000 series: telemd ${fmt((tw.cpuMs / tw.series) * 1000)} ms, node_exporter ${fmt((ne.cpuMs / ne.series) * 1000)} ms`);
}
const t = await telemdInProcess();
console.log(`telemd   scrape only:            ${fmt(t.scrapeMs)} ms CPU/scrape, ${t.points} points, ~${fmt(t.allocKiB, 0)} KiB allocated/scrape (median)`);
console.log(`telemd   scrape + Prometheus text: ${fmt(t.renderMs)} ms CPU/scrape, ${t.series} series`);
console.log(`telemd   process scraper (opt-in):  ${fmt(t.processMs)} ms CPU/scrape for ${t.procs} processes (${fmt((t.processMs / t.procs) * 1000, 1)} µs/process, goal ≤ 20)`);
if (ne) console.log(`ratio in-process telemd/node_exporter CPU per scrape: scrape only ${fmt(t.scrapeMs / ne.cpuMs, 2)}, scrape + text ${fmt(t.renderMs / ne.cpuMs, 2)}`);
const ag = await agentRss();
if (!ag) console.log('agent: dist/telemd.js missing (npm run build) — RSS skipped');
else console.log(`agent (dist/telemd.js, hostmetrics every 1s → batch → prometheus): steady RSS ${fmt(ag.rssMiB, 1)} MiB (goal ≤ 60; anonymous ${fmt(ag.anonMiB, 1)} MiB, the rest is the node binary's file pages), ${fmt(ag.cpuPerSecondMs)} ms CPU per second over ${ag.seconds}s, ${ag.promSeries} series exposed`);
console.log(`(${hostInfo()})`);
