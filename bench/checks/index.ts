// Probe cost of the httpcheck receiver: CPU per probe for 100 HTTP targets at 10 s, beside the
// real Debian blackbox_exporter probing the same targets (driven by the real Prometheus, which is
// how blackbox_exporter is run: one scrape of /probe per probe), and the delay hanging targets
// add to the others. Usage: npm run bench:checks [-- --seconds N] (window per run, default 60)
console.log(
  'includes: CPU-seconds (user+system, /proc/<pid>/stat) of the prober process over the window, divided by the probes the target server saw in it; telemd: the whole agent (httpcheck -> nop), and the same minus an agent with no targets; blackbox_exporter: its process alone, and with the Prometheus that schedules its probes; the delay: gaps between successive probes of each healthy target as the target server saw them, minus the interval; excludes: start-up (the first 15 s), the target server',
);
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_FLAGS } from '../../src/cli/unit.js';
import { startAgent, tempDir, type Agent } from '../../test/helpers/agent.js';
import { freePort } from '../../test/helpers/ports.js';
import { cpuSeconds, machine, sleep } from '../common/proctree.js';

const arg = process.argv.indexOf('--seconds');
const WINDOW_S = arg > 0 ? Number(process.argv[arg + 1]) : 60;
const TARGETS = 100;
const INTERVAL_S = 10;
const HANGING = 5;
const WARMUP_MS = 15_000;
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
const PROMETHEUS = '/usr/bin/prometheus';

type Hits = Record<string, number[]>;

async function targetServer(): Promise<{ port: number; hits(): Promise<Hits>; stop(): void }> {
  const p = fork(join(import.meta.dirname, 'targets.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((r) => p.once('message', (m) => r((m as { port: number }).port)));
  return {
    port,
    hits: () =>
      new Promise((r) => {
        p.once('message', (m) => r((m as { hits: Hits }).hits));
        p.send({ hits: true });
      }),
    stop: () => void p.kill('SIGKILL'),
  };
}

const urls = (port: number, n: number, kind = 't') => Array.from({ length: n }, (_, i) => `http://127.0.0.1:${port}/${kind}/${i}`);

/** Probes the server saw of `/t/*` in [from, to), and the gaps (ms) between successive ones per target beyond the interval. */
function analyse(hits: Hits, from: number, to: number): { probes: number; lateMs: number[] } {
  let probes = 0;
  const lateMs: number[] = [];
  for (const [path, ts] of Object.entries(hits)) {
    if (!path.startsWith('/t/')) continue;
    probes += ts.filter((t) => t >= from && t < to).length;
    // Gaps ending in the window (the one before it may start earlier).
    for (let i = 1; i < ts.length; i++) if (ts[i]! >= from && ts[i]! < to && ts[i - 1]! >= from - 2 * INTERVAL_S * 1000) lateMs.push(ts[i]! - ts[i - 1]! - INTERVAL_S * 1000);
  }
  return { probes, lateMs };
}

const q = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

interface Window {
  from: number;
  to: number;
  cpu: Record<string, number>;
}

/** CPU-seconds of each process over WINDOW_S after the warm-up. */
async function measure(pids: Record<string, number>): Promise<Window> {
  await sleep(WARMUP_MS);
  const c0 = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
  const from = Date.now();
  await sleep(WINDOW_S * 1000);
  const to = Date.now();
  const cpu = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p) - c0[k]!]));
  return { from, to, cpu };
}

function agentConfig(targets: string[], hanging: string[]): string {
  const list = [
    ...(targets.length ? [`      - endpoints: [${targets.join(', ')}]\n        timeout: 5s`] : []),
    ...(hanging.length ? [`      - endpoints: [${hanging.join(', ')}]\n        timeout: 8s`] : []),
  ];
  if (list.length === 0) return 'receivers:\n  nop:\nexporters:\n  nop:\nservice:\n  pipelines:\n    metrics: {receivers: [nop], exporters: [nop]}\n';
  return `receivers:
  httpcheck:
    collection_interval: ${INTERVAL_S}s
    targets:\n${list.join('\n')}
exporters:
  nop:
service:
  pipelines:
    metrics: {receivers: [httpcheck], exporters: [nop]}
`;
}

async function runTelemd(server: Awaited<ReturnType<typeof targetServer>>, targets: string[], hanging: string[]): Promise<Window> {
  let agent: Agent | undefined;
  try {
    agent = await startAgent({ config: agentConfig(targets, hanging), nodeArgs: NODE_FLAGS.split(' ') });
    return await measure({ agent: agent.proc.pid! });
  } finally {
    await agent?.stop();
  }
}

function started(bin: string, args: string[]): ChildProcess {
  const p = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-2000)));
  p.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`${bin} exited ${code}: ${err}`);
  });
  return p;
}

async function ready(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`${url} never became ready`);
}

async function runBlackbox(targets: string[]): Promise<Window> {
  const dir = tempDir('telemd-bench-bb-');
  const bbPort = await freePort();
  const promPort = await freePort();
  writeFileSync(join(dir, 'bb.yml'), 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n');
  writeFileSync(
    join(dir, 'prom.yml'),
    `global: {scrape_interval: ${INTERVAL_S}s, scrape_timeout: 6s}
scrape_configs:
  - job_name: blackbox
    metrics_path: /probe
    params: {module: [http_2xx]}
    static_configs: [{targets: [${targets.join(', ')}]}]
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {source_labels: [__param_target], target_label: instance}
      - {target_label: __address__, replacement: '127.0.0.1:${bbPort}'}
`,
  );
  const bb = started(BLACKBOX, [`--config.file=${join(dir, 'bb.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`]);
  const prom = started(PROMETHEUS, [`--config.file=${join(dir, 'prom.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
  try {
    await ready(`http://127.0.0.1:${bbPort}/-/healthy`);
    await ready(`http://127.0.0.1:${promPort}/-/ready`);
    return await measure({ blackbox: bb.pid!, prometheus: prom.pid! });
  } finally {
    bb.kill('SIGTERM');
    prom.kill('SIGTERM');
    await sleep(500);
  }
}

const server = await targetServer();
try {
  const healthy = urls(server.port, TARGETS);
  const hang = urls(server.port, HANGING, 'hang');
  console.log(`machine: ${machine()}`);
  console.log(`${TARGETS} HTTP targets at ${INTERVAL_S}s, ${WINDOW_S}s window per run after ${WARMUP_MS / 1000}s warm-up`);

  const idle = await runTelemd(server, [], []);
  const tm = await runTelemd(server, healthy, []);
  let hits = await server.hits();
  const tmA = analyse(hits, tm.from, tm.to);
  const tmHang = await runTelemd(server, healthy, hang);
  hits = await server.hits();
  const hangA = analyse(hits, tmHang.from, tmHang.to);
  const hangProbes = Object.entries(hits)
    .filter(([p]) => p.startsWith('/hang/'))
    .reduce((n, [, ts]) => n + ts.filter((t) => t >= tmHang.from && t < tmHang.to).length, 0);

  const idleRate = idle.cpu.agent! / ((idle.to - idle.from) / 1000);
  const net = (w: Window) => w.cpu.agent! - idleRate * ((w.to - w.from) / 1000);
  const us = (s: number, n: number) => ((s / n) * 1e6).toFixed(0);
  console.log('');
  console.log(`telemd httpcheck (agent with no targets: ${idle.cpu.agent!.toFixed(2)} CPU-s over ${WINDOW_S}s)`);
  console.log(`  ${tmA.probes} probes: ${tm.cpu.agent!.toFixed(2)} CPU-s = ${us(tm.cpu.agent!, tmA.probes)} us/probe gross, ${us(net(tm), tmA.probes)} us/probe above the idle agent`);

  let bbLine = 'blackbox_exporter: not installed (Debian prometheus-blackbox-exporter), no peer figures';
  if (existsSync(BLACKBOX) && existsSync(PROMETHEUS)) {
    const bb = await runBlackbox(healthy);
    hits = await server.hits();
    const bbA = analyse(hits, bb.from, bb.to);
    const both = bb.cpu.blackbox! + bb.cpu.prometheus!;
    bbLine = `blackbox_exporter 0.23 driven by Prometheus 2.42\n  ${bbA.probes} probes: blackbox ${bb.cpu.blackbox!.toFixed(2)} CPU-s = ${us(bb.cpu.blackbox!, bbA.probes)} us/probe; with Prometheus ${both.toFixed(2)} CPU-s = ${us(both, bbA.probes)} us/probe\n  ratio telemd (above idle) / blackbox alone: ${(net(tm) / tmA.probes / (bb.cpu.blackbox! / bbA.probes)).toFixed(2)}; / blackbox + Prometheus: ${(net(tm) / tmA.probes / (both / bbA.probes)).toFixed(2)}`;
  }
  console.log(bbLine);

  console.log('');
  console.log(`delay of the healthy targets (gap between successive probes minus ${INTERVAL_S}s, as the server saw them):`);
  const line = (name: string, a: typeof tmA) => `  ${name}: ${a.lateMs.length} gaps, median ${q(a.lateMs, 0.5).toFixed(1)} ms, p99 ${q(a.lateMs, 0.99).toFixed(1)} ms, max ${Math.max(...a.lateMs).toFixed(1)} ms`;
  console.log(line('no hanging target', tmA));
  console.log(line(`${HANGING} targets hanging to their 8s timeout (${hangProbes} hung probes)`, hangA));
  console.log(`  added by the hanging targets: p99 ${(q(hangA.lateMs, 0.99) - q(tmA.lateMs, 0.99)).toFixed(1)} ms, max ${(Math.max(...hangA.lateMs) - Math.max(...tmA.lateMs)).toFixed(1)} ms (goal: none); healthy probes in the window ${hangA.probes} vs ${tmA.probes}`);
  console.log(`  CPU with the hanging targets: ${tmHang.cpu.agent!.toFixed(2)} CPU-s`);
  const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`load average at the end: ${load}`);
} finally {
  server.stop();
}
