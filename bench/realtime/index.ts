// bench:realtime — 1 s collection, telemd against Netdata, whole process trees, A B A B.
//   npm run bench:realtime [-- --seconds 20 --warmup 10 --rounds 2]
// Each phase starts one system fresh in its own temp dir, lets it warm up, then measures for
// --seconds: CPU-seconds of the whole process tree (from /proc/<pid>/stat, so a busy shared
// machine slows it down but does not bill it), RSS and PSS of the tree (sampled every second;
// the median and peak are reported), and the series it collects per second (Netdata: the
// dimensions of /api/v1/charts, each divided by its chart's update_every; telemd: data points
// accepted by hostmetrics per second). Phases alternate Netdata, telemd, Netdata, telemd, … so
// that both see the same machine over time.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/ports.js';
import { BIN } from '../../test/helpers/agent.js';
import { NODE_FLAGS } from '../../src/cli/unit.js';
import { machine, sleep, treeCpuSeconds, treeMemory, treePids } from '../common/proctree.js';

const argv = process.argv.slice(2);
const arg = (k: string, d: number) => (argv.includes(k) ? Number(argv[argv.indexOf(k) + 1]) : Number(process.env[`BENCH_REALTIME_${k.slice(2).toUpperCase()}`] ?? d));
const SECONDS = arg('--seconds', 20);
const WARMUP = arg('--warmup', 10);
const ROUNDS = Math.max(1, arg('--rounds', 2));
const NETDATA = '/usr/sbin/netdata';

interface Phase {
  cpuS: number;
  wallS: number;
  seriesPerS: number;
  rssMiB: number;
  rssPeakMiB: number;
  pssMiB: number;
  processes: number;
  detail: string;
}

interface Running {
  proc: ChildProcess;
  /** Series collected per second so far (read from the system's own API). */
  series(): Promise<{ perSecond: number; detail: string }>;
  stop(): Promise<void>;
}

async function waitFor(fn: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function stopTree(p: ChildProcess, root: number): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    const pids = treePids(root);
    const t = setTimeout(() => {
      for (const q of pids) {
        try {
          process.kill(q, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }, 15_000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

/** Netdata with its default collectors at 1 s, foreground, everything under a temp dir. */
async function startNetdata(dir: string): Promise<Running> {
  const port = await freePort();
  for (const d of ['etc', 'log', 'cache', 'lib']) mkdirSync(join(dir, d), { recursive: true });
  // Anonymous statistics off (there is no network here anyway).
  writeFileSync(join(dir, 'etc', '.opt-out-from-anonymous-statistics'), '');
  const conf = join(dir, 'etc', 'netdata.conf');
  writeFileSync(
    conf,
    `[global]
  run as user = ${userInfo().username}
  hostname = telemd-bench
[directories]
  config = ${dir}/etc
  stock config = /usr/lib/netdata/conf.d
  log = ${dir}/log
  cache = ${dir}/cache
  lib = ${dir}/lib
  home = ${dir}
[db]
  update every = 1
[web]
  bind to = 127.0.0.1:${port}
[registry]
  enabled = no
`,
  );
  const proc = spawn(NETDATA, ['-D', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DO_NOT_TRACK: '1' } });
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => (stderr = (stderr + String(b)).slice(-4000)));
  const api = `http://127.0.0.1:${port}/api/v1`;
  await waitFor(async () => (await fetch(`${api}/info`)).ok, `netdata on port ${port}: ${stderr}`);
  return {
    proc,
    async series() {
      const charts = ((await (await fetch(`${api}/charts`)).json()) as { charts: Record<string, { update_every: number; plugin?: string; dimensions: Record<string, unknown> }> }).charts;
      let perSecond = 0;
      const byPlugin = new Map<string, number>();
      for (const c of Object.values(charts)) {
        const n = Object.keys(c.dimensions).length / Math.max(1, c.update_every);
        perSecond += n;
        byPlugin.set(c.plugin || '?', (byPlugin.get(c.plugin || '?') ?? 0) + n);
      }
      const top = [...byPlugin].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');
      return { perSecond, detail: `${Object.keys(charts).length} charts (${top})` };
    },
    stop: () => stopTree(proc, proc.pid!),
  };
}

/** The hostmetrics scrapers at 1 s, process scraper included, served by the prometheus exporter. */
export const TELEMD_CONFIG = (promPort: number, selfPort: number) => `receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers: { cpu: , memory: , load: , filesystem: , network: , disk: , paging: , processes: , system: , process: }
processors:
  batch:
exporters:
  prometheus:
    endpoint: 127.0.0.1:${promPort}
    resource_to_telemetry_conversion: { enabled: true }
service:
  pipelines:
    metrics: { receivers: [hostmetrics], processors: [batch], exporters: [prometheus] }
  telemetry:
    metrics:
      address: 127.0.0.1:${selfPort}
`;

async function startTelemd(dir: string): Promise<Running> {
  const [prom, self] = [await freePort(), await freePort()];
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, TELEMD_CONFIG(prom, self));
  // The node flags of `npm start` and the systemd unit.
  const proc = spawn(process.execPath, [...NODE_FLAGS.split(' '), BIN, 'run', '--config', cfg], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => (stderr = (stderr + String(b)).slice(-4000)));
  const accepted = async () => {
    const text = await (await fetch(`http://127.0.0.1:${self}/metrics`)).text();
    const m = /^telemd_receiver_accepted_items_total\{[^}]*receiver="hostmetrics"[^}]*\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  };
  await waitFor(async () => (await accepted()) > 0, `telemd: ${stderr}`);
  let mark = { t: performance.now(), n: await accepted() };
  return {
    proc,
    async series() {
      const now = { t: performance.now(), n: await accepted() };
      const perSecond = ((now.n - mark.n) * 1000) / (now.t - mark.t);
      mark = now;
      return { perSecond, detail: 'hostmetrics points accepted per second' };
    },
    stop: () => stopTree(proc, proc.pid!),
  };
}

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
};

async function phase(start: (dir: string) => Promise<Running>): Promise<Phase> {
  const dir = mkdtempSync('/tmp/telemd-bench-realtime-');
  const r = await start(dir);
  try {
    const root = r.proc.pid!;
    await sleep(WARMUP * 1000);
    await r.series(); // marks the start for telemd's rate
    const c0 = treeCpuSeconds(root);
    const t0 = performance.now();
    const rss: number[] = [];
    let pss = 0;
    let processes = 0;
    for (let i = 0; i < SECONDS; i++) {
      await sleep(1000);
      const m = treeMemory(root);
      rss.push(m.rssMiB);
      pss = m.pssMiB;
      processes = m.processes;
    }
    const cpuS = treeCpuSeconds(root) - c0;
    const wallS = (performance.now() - t0) / 1000;
    const s = await r.series();
    return { cpuS, wallS, seriesPerS: s.perSecond, rssMiB: median(rss), rssPeakMiB: Math.max(...rss), pssMiB: pss, processes, detail: s.detail };
  } finally {
    await r.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function summary(name: string, ps: Phase[]) {
  const cpuPct = ps.map((p) => (p.cpuS / p.wallS) * 100);
  const series = median(ps.map((p) => p.seriesPerS));
  const per1000 = ps.map((p) => ((p.cpuS / p.wallS) * 100 * 1000) / p.seriesPerS);
  const row = {
    name, cpuPct: median(cpuPct), cpuMin: Math.min(...cpuPct), cpuMax: Math.max(...cpuPct), series,
    per1000: median(per1000), per1000Min: Math.min(...per1000), per1000Max: Math.max(...per1000),
    rss: median(ps.map((p) => p.rssMiB)), rssPeak: Math.max(...ps.map((p) => p.rssPeakMiB)), pss: median(ps.map((p) => p.pssMiB)),
    processes: Math.max(...ps.map((p) => p.processes)), detail: ps[ps.length - 1]!.detail,
  };
  console.log(
    `${name.padEnd(8)} ${row.series.toFixed(0).padStart(6)} series/s  CPU ${row.cpuPct.toFixed(2)}% of a core (${row.cpuMin.toFixed(2)}-${row.cpuMax.toFixed(2)})  ` +
      `${row.per1000.toFixed(3)}% per 1000 series/s (${row.per1000Min.toFixed(3)}-${row.per1000Max.toFixed(3)})  ` +
      `RSS ${row.rss.toFixed(1)} MiB (peak ${row.rssPeak.toFixed(1)}), PSS ${row.pss.toFixed(1)} MiB, ${row.processes} process(es)`,
  );
  console.log(`         ${row.detail}`);
  return row;
}

async function main(): Promise<void> {
  console.log(`bench:realtime  ${ROUNDS} rounds of Netdata then telemd (A B A B), each ${WARMUP} s warm-up + ${SECONDS} s measured  (${machine()})`);
  console.log(
    'includes: each whole process tree (Netdata: netdata, its spawn server and plugins, their reaped children; telemd: the agent), collecting every 1 s ' +
      'and keeping the data servable (Netdata: its database + web API at defaults; telemd: batch -> prometheus exporter with resource_to_telemetry_conversion); ' +
      'excludes: start-up and warm-up, the one API read per phase that counts the series (after the CPU window), the other system while it is stopped. ' +
      'CPU is CPU-seconds from /proc/<pid>/stat divided by the wall time of the window.',
  );
  if (!existsSync(NETDATA)) console.log(`netdata not installed (apt-get install netdata): telemd alone`);
  const nd: Phase[] = [];
  const tm: Phase[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (existsSync(NETDATA)) nd.push(await phase(startNetdata));
    tm.push(await phase(startTelemd));
    process.stdout.write(`  round ${i + 1}/${ROUNDS} done\n`);
  }
  const t = summary('telemd', tm);
  if (nd.length) {
    const n = summary('netdata', nd);
    console.log(`ratio telemd/netdata CPU per 1000 series/s: ${(t.per1000 / n.per1000).toFixed(2)} (goal ≤ 0.5); RSS ${(t.rss / n.rss).toFixed(2)}`);
  }
  console.log(`goal rows: telemd ≤ 0.45% of a core per 1000 series/s: ${t.per1000.toFixed(3)}%; telemd RSS ≤ 60 MiB: ${t.rss.toFixed(1)} MiB (peak ${t.rssPeak.toFixed(1)})`);
  console.log(`(${machine()})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
