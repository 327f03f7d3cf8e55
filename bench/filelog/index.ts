// filelog throughput and CPU cost, side by side with rsyslog and syslog-ng on the same input.
//   npm run bench:filelog [-- --lines 1000000] [--runs 3] [--gib]   (--gib adds a 1 GiB raw run)
// Each system starts idle; the input then appears in the watched folder at once (hard link),
// and we time until every line reached the output (telemd: the exporter acknowledged them;
// peers: the lines are in their output file); CPU is the process's user+system time. Whole-
// process rows time the same from the spawn (the input already there) to the last line, start-up
// included. The peers run at their defaults and with their batching settings (peers.ts); each
// peer is compared at the best of those (least CPU per line).
// Every case runs --runs times, interleaved, and the median is reported: on a shared VM one run
// varies by ±30 %. Before each run the input is read once (all systems start from the page
// cache) and dirty pages of earlier runs are synced (their writeback would be billed to
// whichever run comes next).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { linkSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeSync, closeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startAgent, ROOT } from '../../test/helpers/agent.js';
import { LineCounter, measure, type Result } from './measure.js';
import { factory } from '../../receivers/filelog/index.js';
import { ParseContext } from '../../src/config/schema.js';
import { consumerOf } from '../../src/component/consumer.js';
import { countLogRecords } from '../../src/pdata/count.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import pino from 'pino';
import { findRsyslog, findSyslogNg, startRsyslog, startSyslogNg, type Peer, type PeerSettings } from './peers.js';
import { cpuSeconds } from './measure.js';
import { NODE_FLAGS } from '../../src/cli/unit.js';

const argv = process.argv.slice(2);
const arg = (k: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : undefined);
const LINES = Number(arg('--lines') ?? process.env.BENCH_FILELOG_LINES ?? 1_000_000);
const RUNS = Math.max(1, Number(arg('--runs') ?? process.env.BENCH_FILELOG_RUNS ?? 3));
const work = mkdtempSync('/tmp/telemd-bench-filelog-');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `n` lines of 107 bytes (like the issue's measurement); json=true makes them JSON objects. */
function generate(path: string, n: number, json: boolean): void {
  const fd = openSync(path, 'w');
  const pad = 'x'.repeat(96);
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const seq = String(i).padStart(9, '0');
    // JSON numbers cannot have leading zeros: pad the message instead.
    chunk += json ? `{"seq":${i},"level":"info","msg":"${pad.slice(0, 66 - String(i).length)}","t":"r"}\n` : `${seq} ${pad}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

/** Same starting point for every run: input in the page cache, no dirty pages left over. */
function settle(input: string): void {
  execFileSync('sync');
  const fd = openSync(input, 'r');
  const b = Buffer.allocUnsafe(1 << 20);
  while (readSync(fd, b, 0, b.length, null) > 0);
  closeSync(fd);
}

/** Log records the agent's exporters delivered (the file exporter counts them once written). */
async function delivered(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^telemd_exporter_sent_items_total\{[^}]*signal="logs"[^}]*\} (\d+)/gm)) n += Number(m[1]);
  return n;
}

function telemdConfig(watch: string, dir: string, exporters: string, pipelineExporters: string, operators: string): string {
  return `
receivers:
  filelog:
    include: ["${watch}/*.log"]
    start_at: beginning
    include_file_name: false
${operators}
exporters:
${exporters.replaceAll('$DIR', dir)}
service:
  pipelines:
    logs:
      receivers: [filelog]
      exporters: [${pipelineExporters}]
`;
}

/** From the spawn (the input already in the watched folder) until `done`: wall and CPU of the whole process. */
async function wholeProcess(pid: number, t0: number, done: () => Promise<boolean> | boolean, timeoutS: number): Promise<{ seconds: number; cpu: number }> {
  const limit = t0 + timeoutS * 1000;
  while (!(await done())) {
    if (performance.now() > limit) throw new Error(`not finished after ${timeoutS}s`);
    await sleep(20);
  }
  return { seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds(pid) };
}

async function runTelemdWhole(name: string, input: string, lines: number, exporters: string, pipelineExporters: string): Promise<Result> {
  const dir = mkdtempSync(join(work, 'telemd-'));
  const watch = join(dir, 'watch');
  mkdirSync(watch);
  settle(input);
  linkSync(input, join(watch, 'in.log'));
  const t0 = performance.now();
  // npm start's Node flags, as a user runs it.
  const a = await startAgent({ config: telemdConfig(watch, dir, exporters, pipelineExporters, ''), dir, nodeArgs: NODE_FLAGS.split(' ') });
  try {
    const r = await wholeProcess(a.proc.pid!, t0, async () => (await delivered(a.selfMetricsPort)) >= lines, 600);
    return { name, lines, ...r };
  } finally {
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runTelemd(name: string, input: string, lines: number, exporters: string, pipelineExporters: string, operators = ''): Promise<Result> {
  const dir = mkdtempSync(join(work, 'telemd-'));
  const watch = join(dir, 'watch');
  mkdirSync(watch);
  const a = await startAgent({ config: telemdConfig(watch, dir, exporters, pipelineExporters, operators), dir, nodeArgs: NODE_FLAGS.split(' ') });
  try {
    await sleep(500);
    settle(input);
    const r = await measure(a.proc.pid!, () => linkSync(input, join(watch, 'in.log')), async () => (await delivered(a.selfMetricsPort)) >= lines, 600);
    return { name, lines, ...r };
  } finally {
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The receiver alone, in this process, into a consumer that only counts: the tailing cost. */
async function runReceiverOnly(input: string, lines: number): Promise<Result> {
  const dir = mkdtempSync(join(work, 'recv-'));
  const cfg = configSchemaParse({ include: [join(dir, '*.log')], start_at: 'beginning', include_file_name: false });
  let n = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const next = consumerOf((d: Parameters<typeof countLogRecords>[0]) => {
    n += countLogRecords(d);
    if (n >= lines) done();
  });
  const set = { id: { type: 'filelog', name: '', id: 'filelog' }, kind: 'receiver' as const, logger: pino({ level: 'warn' }), telemetry: new SelfTelemetry(new MetricRegistry()) };
  const r = factory.create(set, cfg, { logs: next });
  await r.start({ getExtension: () => undefined, getStorage: () => Promise.reject(new Error('none')), reportFatal: () => {} });
  settle(input);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  linkSync(input, join(dir, 'in.log'));
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  await r.shutdown();
  return { name: 'telemd filelog receiver alone (counting consumer)', lines, seconds, cpu: (c.user + c.system) / 1e6 };
}

function configSchemaParse(raw: Record<string, unknown>) {
  const ctx = new ParseContext();
  const cfg = factory.config.parse(raw, ctx);
  if (ctx.issues.length) throw new Error(JSON.stringify(ctx.issues));
  return cfg;
}

type StartPeer = (w: string, input: string, out: string, settings: PeerSettings) => Peer;

async function runPeerWhole(start: StartPeer, settings: PeerSettings, input: string, lines: number): Promise<Result> {
  const dir = mkdtempSync(join(work, 'peer-'));
  const watched = join(dir, 'in.log');
  const out = join(dir, 'out.log');
  settle(input);
  linkSync(input, watched);
  const t0 = performance.now();
  const p = start(dir, watched, out, settings);
  let stderr = '';
  p.proc.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  try {
    const counter = new LineCounter(out);
    const r = await wholeProcess(p.proc.pid!, t0, () => {
      if (p.proc.exitCode !== null) throw new Error(`${p.name} exited: ${stderr.slice(-500)}`);
      return counter.update() >= lines;
    }, 600);
    return { name: `${p.name}, whole process`, lines, ...r };
  } finally {
    p.proc.kill('SIGTERM');
    await new Promise((r) => p.proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPeer(start: StartPeer, settings: PeerSettings, input: string, lines: number): Promise<Result> {
  const dir = mkdtempSync(join(work, 'peer-'));
  const watched = join(dir, 'in.log');
  const out = join(dir, 'out.log');
  const p = start(dir, watched, out, settings);
  let stderr = '';
  p.proc.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  try {
    await sleep(1000);
    if (p.proc.exitCode !== null) throw new Error(`${p.name} exited: ${stderr.slice(-500)}`);
    const counter = new LineCounter(out);
    settle(input);
    const r = await measure(p.proc.pid!, () => linkSync(input, watched), () => counter.update() >= lines, 600);
    return { name: p.name, lines, ...r };
  } finally {
    p.proc.kill('SIGTERM');
    await new Promise((r) => p.proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
}

/** The median run of a case (by CPU per line and by wall time separately), with the CPU range. */
function summarize(runs: Result[]): Result & { cpuMin: number; cpuMax: number; n: number } {
  const cpu = runs.map((r) => r.cpu);
  return { ...runs[0]!, seconds: median(runs.map((r) => r.seconds)), cpu: median(cpu), cpuMin: Math.min(...cpu), cpuMax: Math.max(...cpu), n: runs.length };
}

function report(results: ReturnType<typeof summarize>[]): void {
  const perM = (cpu: number, lines: number) => ((cpu * 1e6) / lines).toFixed(2);
  const row = (r: ReturnType<typeof summarize>) =>
    `${r.name.padEnd(52)} ${String(r.lines).padStart(9)} lines ${r.seconds.toFixed(2).padStart(6)} s ${Math.round(r.lines / r.seconds).toLocaleString('en').padStart(10)} lines/s ${perM(r.cpu, r.lines).padStart(6)} CPU-s/M (${perM(r.cpuMin, r.lines)}-${perM(r.cpuMax, r.lines)}, n=${r.n})`;
  for (const r of results) console.log(row(r));
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
  const raw = join(work, 'raw.txt');
  const json = join(work, 'json.txt');
  generate(raw, LINES, false);
  generate(json, LINES, true);
  console.log('includes: each system as a real process (telemd agent with npm start\'s Node flags, rsyslog, syslog-ng), from the moment the input appears (hard link) until the last line is in the output (telemd: acknowledged by its exporter), CPU-seconds of the process from /proc/<pid>/stat and wall time; "whole process" rows from the spawn, start-up included; also the receiver alone in this process; excludes: (except whole-process rows) process start-up and the idle second before; input generation, the page cache warm-up (every run reads from cache).');
  console.log(`filelog bench: ${LINES} lines of 107 bytes, ${RUNS} runs per case (medians); load before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const port = (sink.address() as { port: number }).port;
  const fileExp = `  file:\n    path: $DIR/out.jsonl\n    flush_interval: 200ms`;
  const otlpExp = `  otlphttp:\n    endpoint: http://127.0.0.1:${port}\n    compression: none`;

  const rs = findRsyslog();
  if (typeof rs === 'string') console.log(`skipping rsyslog: ${rs}`);
  const sng = findSyslogNg();
  if (typeof sng === 'string') console.log(`skipping syslog-ng: ${sng}`);
  const cases: { key: string; run: () => Promise<Result> }[] = [
    { key: 'alone', run: () => runReceiverOnly(raw, LINES) },
    { key: 'raw', run: () => runTelemd('telemd tail -> file (fsync each flush, default)', raw, LINES, fileExp, 'file') },
    { key: 'rawNoSync', run: () => runTelemd('telemd tail -> file (fsync: false, as the peers)', raw, LINES, `${fileExp}\n    fsync: false`, 'file') },
    { key: 'json', run: () => runTelemd('telemd tail -> json_parser -> otlphttp', json, LINES, otlpExp, 'otlphttp', '    operators:\n      - type: json_parser') },
    { key: 'rawWhole', run: () => runTelemdWhole('telemd tail -> file (fsync: false), whole process', raw, LINES, `${fileExp}\n    fsync: false`, 'file') },
  ];
  const peers: [string, StartPeer][] = [];
  if (typeof rs !== 'string') peers.push(['rsyslog', startRsyslog]);
  if (typeof sng !== 'string') peers.push(['syslog-ng', startSyslogNg]);
  for (const [key, start] of peers)
    for (const settings of ['defaults', 'batching'] as const) {
      cases.push({ key: `${key}/${settings}`, run: () => runPeer(start, settings, raw, LINES) });
      cases.push({ key: `${key}/${settings}/whole`, run: () => runPeerWhole(start, settings, raw, LINES) });
    }
  const runs = new Map<string, Result[]>();
  for (let i = 0; i < RUNS; i++)
    for (const c of cases) {
      const r = await c.run();
      runs.set(c.key, [...(runs.get(c.key) ?? []), r]);
    }
  sink.close();
  if (argv.includes('--gib')) {
    const big = join(work, 'gib.txt');
    const n = Math.floor(2 ** 30 / 107);
    generate(big, n, false);
    runs.set('gib', [await runTelemd('telemd tail -> file (1 GiB, fsync: false)', big, n, `${fileExp}\n    fsync: false`, 'file')]);
    rmSync(big);
  }

  const m = new Map([...runs].map(([k, v]) => [k, summarize(v)]));
  report([...m.values()]);
  const perLine = (r: Result) => r.cpu / r.lines;
  const tw = m.get('rawWhole')!;
  console.log(`goal rows (telemd whole process, fsync: false): ${(tw.lines / tw.seconds).toLocaleString('en', { maximumFractionDigits: 0 })} lines/s from the spawn (goal ≥ 1,000,000), ${tw.cpu.toFixed(2)} CPU-s`);
  for (const [peer] of peers) {
    // The peer at its best settings: least CPU per line of its variants (from the input's appearance).
    const best = (['defaults', 'batching'] as const).map((s) => ({ s, r: m.get(`${peer}/${s}`)! })).sort((a, b) => perLine(a.r) - perLine(b.r))[0]!;
    const p = best.r;
    const pw = m.get(`${peer}/${best.s}/whole`)!;
    const ratios = (['raw', 'rawNoSync', 'json'] as const).map((k) => `${k} ${(perLine(m.get(k)!) / perLine(p)).toFixed(2)}x`).join(', ');
    const speed = (p.seconds / p.lines / (m.get('rawNoSync')!.seconds / m.get('rawNoSync')!.lines)).toFixed(2);
    console.log(`vs ${p.name} (its best): telemd's CPU per line is ${ratios} of the peer's (goal ≤ 0.5x); raw (fsync: false) is ${speed}x as fast`);
    console.log(`   whole process: telemd ${tw.cpu.toFixed(2)} CPU-s / ${tw.seconds.toFixed(2)} s vs ${pw.name} ${pw.cpu.toFixed(2)} CPU-s / ${pw.seconds.toFixed(2)} s: ${(perLine(tw) / perLine(pw)).toFixed(2)}x its CPU`);
  }
  console.log(`load after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
