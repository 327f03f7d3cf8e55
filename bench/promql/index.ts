// Query latency of the PromQL engine against the real Prometheus 2.42 on the same data: 100
// counter and 100 gauge series, one hour at 1 s (720 000 samples), range queries over the hour
// at a 15 s step (241 steps). Prometheus reads TSDB blocks made by `promtool tsdb
// create-blocks-from openmetrics` and answers over HTTP; ours is measured on the in-memory
// store, evaluation alone and evaluation plus the response JSON (what the console serves),
// and through a loopback HTTP server like Prometheus' (same request, same bytes out).
// CPU per query is the fairer figure on a shared machine (ours: this process, which also runs
// the HTTP client; Prometheus': its process, from /proc, 10 ms ticks averaged over the runs).
//   npm run bench:promql [-- --iterations 40]
console.log('includes: query latency of the engine (in-memory store, evaluation, evaluation + JSON, and over loopback HTTP) against Prometheus 2.42 over HTTP on the same data; excludes: data loading and block creation, first (cold) queries');
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { querySuccessJson } from '../../src/promql/apijson.js';
import { evalRange } from '../../src/promql/engine.js';
import { MemoryQueryable } from '../../src/promql/memory.js';
import { prometheusOver } from '../../test/promql/real-prometheus.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const ITER = arg('--iterations', 40);
const SERIES = 100;
const HOUR = 3_600_000;
const BASE = 1_700_000_000_000;
const START = BASE;
const END = BASE + HOUR;
const STEP = 15_000;

const QUERIES = [
  'rate(bench_requests_total[1m])',
  'avg_over_time(bench_temperature[5m])',
  'sum by (instance) (rate(bench_requests_total[1m]))',
  'max_over_time(bench_temperature[5m]) - min_over_time(bench_temperature[5m])',
  'bench_temperature',
];

function data(): { om: string; store: MemoryQueryable; samples: number } {
  let seed = 7;
  const r = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const store = new MemoryQueryable();
  const lines: string[] = [];
  let samples = 0;
  for (const name of ['bench_requests_total', 'bench_temperature']) {
    lines.push(`# TYPE ${name} unknown`);
    for (let s = 0; s < SERIES; s++) {
      const labels = { __name__: name, instance: `host-${s}`, job: 'bench' };
      let v = 0;
      for (let t = BASE; t < END; t += 1000) {
        v = name === 'bench_temperature' ? 20 + 5 * Math.sin(t / 600_000 + s) + r() : v + Math.floor(r() * 100);
        store.append(labels, t, v);
        lines.push(`${name}{instance="host-${s}",job="bench"} ${v} ${(t / 1000).toFixed(3)}`);
        samples++;
      }
    }
  }
  lines.push('# EOF', '');
  return { om: lines.join('\n'), store, samples };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** CPU ms of another process so far (utime + stime from /proc, in clock ticks of 10 ms). */
function procCpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const selfCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Timing {
  wall: number[];
  /** Mean CPU ms per run. */
  cpu: number;
}

async function time(fn: () => Promise<unknown>, cpuMs: () => number = selfCpuMs): Promise<Timing> {
  for (let k = 0; k < 3; k++) await fn();
  const wall: number[] = [];
  const c0 = cpuMs();
  for (let k = 0; k < ITER; k++) {
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
  }
  return { wall, cpu: (cpuMs() - c0) / ITER };
}

const fmt = (t: Timing): string => `wall p50 ${pct(t.wall, 50).toFixed(1).padStart(6)} ms  p90 ${pct(t.wall, 90).toFixed(1).padStart(6)} ms  cpu ${t.cpu.toFixed(1).padStart(6)} ms/query`;

const { om, store, samples } = data();
console.log(`bench:promql — ${2 * SERIES} series, ${samples} samples (1 h at 1 s), range ${HOUR / 1000}s at ${STEP / 1000}s step (${HOUR / STEP + 1} steps), ${ITER} runs each`);
console.log(`machine: ${cpus().length} cpu, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

// Our engine behind a loopback HTTP endpoint shaped like /api/v1/query_range.
const srv = createServer((req, res) => {
  const u = new URL(req.url!, 'http://x');
  evalRange(store, u.searchParams.get('query')!, Number(u.searchParams.get('start')) * 1000, Number(u.searchParams.get('end')) * 1000, Number(u.searchParams.get('step')) * 1000)
    .then((r) => res.writeHead(200, { 'content-type': 'application/json' }).end(querySuccessJson(r)))
    .catch((e: Error) => res.writeHead(422).end(e.message));
});
await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
const ourUrl = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;

const havePeer = spawnSync('sh', ['-c', 'command -v prometheus && command -v promtool']).status === 0;
const prom = havePeer ? await prometheusOver(om) : undefined;
if (!prom) console.log('prometheus/promtool not installed: peer skipped');

const params = (q: string): Record<string, string> => ({ query: q, start: String(START / 1000), end: String(END / 1000), step: String(STEP / 1000) });
for (const q of QUERIES) {
  const evalOnly = await time(() => evalRange(store, q, START, END, STEP));
  const withJson = await time(async () => querySuccessJson(await evalRange(store, q, START, END, STEP)));
  const http = await time(async () => (await fetch(`${ourUrl}/api/v1/query_range?${new URLSearchParams(params(q))}`)).text());
  console.log(`\n${q}`);
  console.log(`  telemd eval           ${fmt(evalOnly)}`);
  console.log(`  telemd eval + JSON    ${fmt(withJson)}`);
  console.log(`  telemd over HTTP      ${fmt(http)}`);
  if (prom) {
    const theirs = await time(() => prom.get('/api/v1/query_range', params(q)), () => procCpuMs(prom.pid));
    const same = (await prom.get('/api/v1/query_range', params(q))).body.trim() === querySuccessJson(await evalRange(store, q, START, END, STEP));
    console.log(`  prometheus over HTTP  ${fmt(theirs)}`);
    console.log(`  telemd/prometheus over HTTP: wall p50 ${(pct(http.wall, 50) / pct(theirs.wall, 50)).toFixed(2)}, cpu ${(http.cpu / theirs.cpu).toFixed(2)}; same response bytes: ${same}`);
  }
}
srv.close();
await prom?.stop();
