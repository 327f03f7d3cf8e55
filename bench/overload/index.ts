// OTLP overload (issue 13): an open-loop sender offers more OTLP/JSON metric points per second
// than the pipeline (otlp → batch → file) can take, and we watch what the agent does: when it
// starts refusing (503 + Retry-After), the latency of what it accepted, and its peak memory.
// Side by side in one run: telemd with its defaults (byte budget + decoding in turns with
// admission.max_queue_wait), and the same agent with max_queue_wait: 0 (the byte budget alone,
// what telemd did before); --lifted adds a run with the budget lifted too (before both).
// The agent runs with npm start's Node flags. Besides latency and RSS it samples the kernel's
// accept queue of the listener (ss): connections waiting there are latency nothing in telemd sees.
//   npm run bench:overload [-- --rate 240000] [--seconds 15] [--points 1000] [--lifted]
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Agent as HttpAgent, request } from 'node:http';
import { encodeJson } from '../../src/otlp/index.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { startAgent, tempDir, type Agent } from '../../test/helpers/agent.js';
import { freePort } from '../../test/helpers/ports.js';
import { NODE_FLAGS } from '../../src/cli/unit.js';

const argv = process.argv.slice(2);
const arg = (k: string, d: number) => (argv.includes(k) ? Number(argv[argv.indexOf(k) + 1]) : d);
const RATE = arg('--rate', 240_000);
const SECONDS = arg('--seconds', 15);
const POINTS = arg('--points', 1000);
/** The sender never holds more requests open than this (a real fleet would have many more). */
const MAX_OPEN = 2048;
/** Source addresses (127.0.0.2 …): a fleet, not one client, so the per-client connection bound is not what refuses. */
const SOURCES = 32;
/**
 * Keep-alive connections per source: 64 lets the sender open a connection for every open request
 * (up to 2048, a connection storm); --sockets 4 models clients with a few exports in flight,
 * requests beyond them waiting in the client (counted in their latency).
 */
const SOCKETS = arg('--sockets', 64);

function body(points: number, seq: number): Buffer {
  const t = 1_700_000_000_000_000_000n + BigInt(seq) * 1_000_000n;
  const data: MetricsData = {
    resourceMetrics: [{
      resource: { attributes: { 'service.name': 'overload', 'host.name': `h${seq % 7}` } },
      scopeMetrics: [{
        scope: { name: 'bench' },
        metrics: [{
          name: 'http.server.requests', unit: '1', type: 'sum', aggregationTemporality: 2, isMonotonic: true,
          dataPoints: Array.from({ length: points }, (_, i) => ({
            attributes: { 'http.route': `/r/${i % 50}`, 'http.response.status_code': 200n, 'k8s.pod.name': `pod-${i % 13}` },
            startTimeUnixNano: t, timeUnixNano: t + BigInt(i), value: i + seq,
          })),
        }],
      }],
    }],
  };
  return Buffer.from(encodeJson('metrics', data));
}

function rssMiB(pid: number): { now: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) / 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Connections completed by the kernel but not yet accepted by the agent (the listener's Recv-Q). */
function acceptQueue(port: number): number {
  try {
    const out = execFileSync('ss', ['-ltnH', `( sport = :${port} )`], { encoding: 'utf8' });
    return Number(out.trim().split(/\s+/)[1] ?? 0);
  } catch {
    return -1;
  }
}

interface Run {
  name: string;
  admission: string;
  acceptQueuePeak: number;
  over1s: number;
  sent: number;
  ok: number;
  refused: number;
  errors: number;
  firstRefusalAtS?: number;
  /** Latency of accepted requests answered before the first refusal, ms. */
  maxLatencyBeforeRefusal: number;
  p50: number;
  p99: number;
  max: number;
  peakRssMiB: number;
  acceptedPointsPerSec: number;
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function run(name: string, admission: string | undefined): Promise<Run> {
  const out = tempDir('telemd-bench-overload-');
  const port = await freePort();
  const agent: Agent = await startAgent({
    config: `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${port} }
${admission === undefined ? '' : `    admission: ${admission}\n`}processors:
  batch: {}
exporters:
  file: { path: ${join(out, 'out.jsonl')}, rotation: { max_megabytes: 100000 } }
service:
  pipelines:
    metrics: { receivers: [otlp], processors: [batch], exporters: [file] }
`,
    dir: out,
    nodeArgs: NODE_FLAGS.split(' '),
  });
  const bodies = Array.from({ length: 8 }, (_, i) => body(POINTS, i));
  const agents = Array.from({ length: SOURCES }, (_, i) => {
    const a = new HttpAgent({ keepAlive: true, maxSockets: SOCKETS });
    return { a, localAddress: `127.0.0.${i + 2}` };
  });
  const why = new Map<string, number>();
  const perSec = RATE / POINTS;
  const t0 = performance.now();
  let sent = 0, ok = 0, refused = 0, errors = 0, open = 0;
  let firstRefusal: number | undefined;
  const lat: number[] = [];
  const latBefore: number[] = [];
  let peak = 0;
  let acceptPeak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(agent.proc.pid!).peak);
    acceptPeak = Math.max(acceptPeak, acceptQueue(port));
  }, 200);
  const inflight: Promise<void>[] = [];
  const send = (b: Buffer): Promise<void> =>
    new Promise((resolve) => {
      const start = performance.now();
      open++;
      const via = agents[sent % SOURCES]!;
      const req = request({ host: '127.0.0.1', port, path: '/v1/metrics', method: 'POST', agent: via.a, localAddress: via.localAddress, headers: { 'content-type': 'application/json', 'content-length': b.length } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          if (res.statusCode === 503) {
            const k = /overloaded/.test(text) ? 'overloaded (queue wait)' : /byte budget/.test(text) ? 'byte budget' : /max_concurrent_requests/.test(text) ? 'max_concurrent_requests' : /not keeping up/.test(text) ? 'stalled' : /too many connections/.test(text) ? 'per-client connections' : /pipeline|queue|memory/.test(text) ? 'pipeline' : 'other';
            why.set(k, (why.get(k) ?? 0) + 1);
          } else if (res.statusCode !== 200) why.set(`HTTP ${res.statusCode}`, (why.get(`HTTP ${res.statusCode}`) ?? 0) + 1);
          open--;
          const ms = performance.now() - start;
          if (res.statusCode === 200) {
            ok++;
            lat.push(ms);
            if (firstRefusal === undefined) latBefore.push(ms);
          } else if (res.statusCode === 503) {
            refused++;
            firstRefusal ??= (performance.now() - t0) / 1000;
          } else errors++;
          resolve();
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        open--;
        errors++;
        why.set(e.code ?? 'error', (why.get(e.code ?? 'error') ?? 0) + 1);
        resolve();
      });
      req.end(b);
    });
  // Open loop: requests go out on schedule whether or not earlier ones were answered.
  while (performance.now() - t0 < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * perSec);
    while (sent < due && open < MAX_OPEN) inflight.push(send(bodies[sent++ % bodies.length]!));
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inflight);
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB(agent.proc.pid!).peak);
  const elapsed = (performance.now() - t0) / 1000;
  await agent.stop();
  for (const a of agents) a.a.destroy();
  console.log(`${name}: answers other than 200 by cause: ${JSON.stringify(Object.fromEntries(why))}`);
  return {
    name, admission: admission ?? 'defaults', acceptQueuePeak: acceptPeak, over1s: lat.filter((x) => x > 1000).length, sent, ok, refused, errors, firstRefusalAtS: firstRefusal,
    maxLatencyBeforeRefusal: Math.max(0, ...latBefore), p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(0, ...lat),
    peakRssMiB: peak, acceptedPointsPerSec: (ok * POINTS) / elapsed,
  };
}

console.log(`bench:overload — offered ${RATE} points/s of OTLP/JSON (${POINTS} points per request) for ${SECONDS} s, open loop (≤ ${MAX_OPEN} requests open, ${SOURCES} clients × ${SOCKETS} keep-alive connections)`);
console.log('includes: the whole telemd process (otlp/http → batch → file, fsync on), latency from request made to answer (time queued in the client for a free connection included); excludes: the sender (same machine, its CPU competes)');
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load average at start: ${load()}`);
const runs = [await run('telemd (defaults)', undefined)];
// --only-defaults: a quick look while developing (no side-by-side ratios).
if (!argv.includes('--only-defaults')) runs.push(await run('telemd, max_queue_wait 0 (before)', '{ max_queue_wait: 0 }'));
if (argv.includes('--lifted')) runs.push(await run('telemd, budget lifted too', '{ max_queue_wait: 0, request_limit_mib: 100000 }'));
console.log(`load average at end: ${load()}`);
const f = (n: number) => n.toFixed(0).padStart(8);
console.log('\n' + 'run'.padEnd(34), 'sent', '   ok', ' 503', 'err', ' 1st 503 at', 'max lat before', '  p50', '   p99', '   max', 'peak RSS', 'accepted pts/s', ' >1 s', 'accept queue peak');
for (const r of runs)
  console.log(
    r.name.padEnd(34), r.sent, r.ok, r.refused, r.errors,
    (r.firstRefusalAtS === undefined ? 'never' : `${r.firstRefusalAtS.toFixed(2)} s`).padStart(11),
    `${f(r.maxLatencyBeforeRefusal)} ms`, f(r.p50), f(r.p99), f(r.max), `${r.peakRssMiB.toFixed(0)} MiB`.padStart(9), f(r.acceptedPointsPerSec), String(r.over1s).padStart(5), String(r.acceptQueuePeak).padStart(6),
  );
if (runs.length < 2) process.exit(0);
const [a, b] = runs as [Run, Run];
console.log(`\nratios (defaults / before): peak RSS ${(a.peakRssMiB / b.peakRssMiB).toFixed(2)}, p99 latency ${(a.p99 / Math.max(1, b.p99)).toFixed(2)}, accepted points/s ${(a.acceptedPointsPerSec / Math.max(1, b.acceptedPointsPerSec)).toFixed(2)}`);
console.log(`goal: refuses before latency passes 1 s (defaults: max latency before the first 503 ${a.maxLatencyBeforeRefusal.toFixed(0)} ms, max ${a.max.toFixed(0)} ms, ${a.over1s} answers over 1 s; before: ${b.maxLatencyBeforeRefusal.toFixed(0)} ms, max ${b.max.toFixed(0)} ms, ${b.over1s} over 1 s) or memory passes its budget`);
