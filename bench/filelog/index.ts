// filelog throughput and CPU cost, side by side with rsyslog and syslog-ng on the same input.
//   npm run bench:filelog [-- --lines 1000000] [--gib]   (--gib adds a 1 GiB raw run for telemd)
// Each system starts idle; the input then appears in the watched folder at once (hard link),
// and we time until every line reached the output; CPU is the process's user+system time.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { linkSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
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
import { findRsyslog, findSyslogNg, startRsyslog, startSyslogNg, type Peer } from './peers.js';

const argv = process.argv.slice(2);
const arg = (k: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : undefined);
const LINES = Number(arg('--lines') ?? process.env.BENCH_FILELOG_LINES ?? 1_000_000);
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

async function accepted(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = /^telemd_receiver_accepted_items_total\{[^}]*filelog[^}]*\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

async function runTelemd(name: string, input: string, lines: number, exporters: string, pipelineExporters: string, operators = ''): Promise<Result> {
  const dir = mkdtempSync(join(work, 'telemd-'));
  const watch = join(dir, 'watch');
  mkdirSync(watch);
  const config = `
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
  const a = await startAgent({ config, dir });
  try {
    await sleep(500);
    const r = await measure(a.proc.pid!, () => linkSync(input, join(watch, 'in.log')), async () => (await accepted(a.selfMetricsPort)) >= lines, 600);
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
  await r.start({ getExtension: () => undefined, getStorage: () => Promise.reject(new Error('none')), reportFatal: () => {}, agent: { health: () => ({ healthy: true, reasons: [] }), reload: async () => ({ applied: false, errors: [] }) } });
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

async function runPeer(start: (w: string, input: string, out: string) => Peer, input: string, lines: number): Promise<Result> {
  const dir = mkdtempSync(join(work, 'peer-'));
  const watched = join(dir, 'in.log');
  const out = join(dir, 'out.log');
  const p = start(dir, watched, out);
  let stderr = '';
  p.proc.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  try {
    await sleep(1000);
    if (p.proc.exitCode !== null) throw new Error(`${p.name} exited: ${stderr.slice(-500)}`);
    const counter = new LineCounter(out);
    const r = await measure(p.proc.pid!, () => linkSync(input, watched), () => counter.update() >= lines, 600);
    return { name: p.name, lines, ...r };
  } finally {
    p.proc.kill('SIGTERM');
    await new Promise((r) => p.proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: Result[]): void {
  const row = (r: Result) =>
    `${r.name.padEnd(44)} ${String(r.lines).padStart(9)} lines ${r.seconds.toFixed(2).padStart(7)} s ${Math.round(r.lines / r.seconds).toLocaleString('en').padStart(11)} lines/s ${((r.cpu * 1e6) / r.lines).toFixed(2).padStart(7)} CPU-s/M lines`;
  for (const r of results) console.log(row(r));
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
  const raw = join(work, 'raw.txt');
  const json = join(work, 'json.txt');
  generate(raw, LINES, false);
  generate(json, LINES, true);
  console.log(`filelog bench: ${LINES} lines of 107 bytes; load before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const results: Result[] = [];
  const alone = await runReceiverOnly(raw, LINES);
  const fileExp = `  file:\n    path: $DIR/out.jsonl\n    flush_interval: 200ms`;
  results.push(await runTelemd('telemd tail -> file exporter (raw)', raw, LINES, fileExp, 'file'));

  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const port = (sink.address() as { port: number }).port;
  const otlpExp = `  otlphttp:\n    endpoint: http://127.0.0.1:${port}\n    compression: none`;
  results.push(await runTelemd('telemd tail -> json_parser -> otlphttp', json, LINES, otlpExp, 'otlphttp', '    operators:\n      - type: json_parser'));
  sink.close();

  if (argv.includes('--gib')) {
    const big = join(work, 'gib.txt');
    const n = Math.floor(2 ** 30 / 107);
    generate(big, n, false);
    results.push(await runTelemd('telemd tail -> file exporter (raw, 1 GiB)', big, n, fileExp, 'file'));
    rmSync(big);
  }

  const peers: Result[] = [];
  const rs = findRsyslog();
  if (typeof rs === 'string') console.log(`skipping rsyslog: ${rs}`);
  else peers.push(await runPeer(startRsyslog, raw, LINES));
  const sng = findSyslogNg();
  if (typeof sng === 'string') console.log(`skipping syslog-ng: ${sng}`);
  else peers.push(await runPeer(startSyslogNg, raw, LINES));

  report([alone, ...results, ...peers]);
  const t = results[0]!;
  const tj = results[1]!;
  for (const p of peers) {
    const cpuRatio = (p.cpu / p.lines / (t.cpu / t.lines)).toFixed(2);
    const speed = (p.seconds / p.lines / (t.seconds / t.lines)).toFixed(2);
    const cpuRatioJ = (p.cpu / p.lines / (tj.cpu / tj.lines)).toFixed(2);
    console.log(`vs ${p.name}: telemd raw uses ${cpuRatio}x less CPU per line and is ${speed}x faster; json->otlp uses ${cpuRatioJ}x less CPU per line`);
  }
  console.log(`load after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
