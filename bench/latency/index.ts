// Acknowledgement latency through a real telemd (issue 13, second row): OTLP/HTTP → batch →
// file (fsync on), all at their defaults, at 10,000 points/s open loop (one request of 100
// points every 10 ms, each timed from send to its 200, i.e. until the points are fsync'd).
//   npm run bench:latency [-- --seconds 10] [--rate 10000] [--points 100] [--baseline DIR]
// --baseline measures another checkout's build (DIR/bin/telemd.js) after this one, same load.
// Goal: p50 < 50 ms, p99 < 200 ms (was 717 / 1,243 ms: the batch processor held data for its
// timeout and the file exporter for its flush_interval even when idle).
// Includes: the whole telemd process, loopback HTTP, JSON-free protobuf bodies, the fsyncs.
// Excludes: encoding the client's requests (made before the clock starts).
console.log('includes: one real telemd (OTLP/HTTP -> batch -> file, fsync on), each request timed from send to its 200 by this process; excludes: start-up, the client CPU, network beyond loopback');
import { Agent as HttpAgent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startAgent, tempDir } from '../../test/helpers/agent.js';
import { freePort } from '../../test/helpers/ports.js';
import { encodeProto } from '../../src/otlp/index.js';
import type { MetricsData } from '../../src/pdata/types.js';

const argv = process.argv.slice(2);
const arg = (k: string, d: number) => (argv.includes(k) ? Number(argv[argv.indexOf(k) + 1]) : d);
const SECONDS = arg('--seconds', 10);
const RATE = arg('--rate', 10_000);
const POINTS = arg('--points', 100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function body(k: number): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n;
  const d: MetricsData = {
    resourceMetrics: [{
      resource: { attributes: { 'service.name': 'latency', 'host.name': `h${k % 10}` } },
      scopeMetrics: [{
        scope: { name: 'bench' },
        metrics: [{
          name: 'requests.inflight', unit: '1', type: 'gauge',
          dataPoints: Array.from({ length: POINTS }, (_, i) => ({ attributes: { route: `/r${i}` }, startTimeUnixNano: 0n, timeUnixNano: now, value: (k * 7 + i) % 100 })),
        }],
      }],
    }],
  };
  return encodeProto('metrics', d);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

interface Result { lat: number[]; refused: number; secs: number }

async function measure(bin?: string): Promise<Result> {
  const dir = tempDir();
  const rx = await freePort();
  const agent = await startAgent({
    bin,
    dir,
    config: `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${rx} } } }
processors:
  batch: {}
exporters:
  file: { path: ${dir}/out.jsonl }
service:
  pipelines: { metrics: { receivers: [otlp], processors: [batch], exporters: [file] } }
`,
  });
  const http = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  const bodies = Array.from({ length: 100 }, (_, k) => body(k));
  const post = (b: Uint8Array) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: rx, path: '/v1/metrics', method: 'POST', agent: http, headers: { 'content-type': 'application/x-protobuf', 'content-length': b.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(b);
    });
  // Warm up (connections, JIT), not counted.
  for (let i = 0; i < 20; i++) await post(bodies[i]!);
  await sleep(500);
  const intervalMs = (1000 * POINTS) / RATE;
  const lat: number[] = [];
  let refused = 0;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let k = 0; performance.now() - t0 < SECONDS * 1000; k++) {
    // Open loop: each request leaves at its own time, whether or not earlier ones were answered.
    const wait = t0 + k * intervalMs - performance.now();
    if (wait > 1) await sleep(wait);
    const sent = performance.now();
    inflight.push(post(bodies[k % bodies.length]!).then((st) => {
      if (st === 200) lat.push(performance.now() - sent);
      else refused++;
    }));
  }
  await Promise.all(inflight);
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  http.destroy();
  await agent.stop();
  return { lat, refused, secs };
}

const BASELINE = argv.includes('--baseline') ? join(resolve(argv[argv.indexOf('--baseline') + 1]!), 'bin', 'telemd.js') : undefined;
const results: [string, Result][] = [['telemd', await measure()]];
if (BASELINE) results.push(['baseline', await measure(BASELINE)]);
console.log(`bench:latency — OTLP/HTTP → batch (defaults) → file (defaults, fsync) in one telemd process: ${RATE} points/s as ${(RATE / POINTS).toFixed(0)} requests/s of ${POINTS}, ${SECONDS}s, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('includes the telemd process, loopback HTTP and the fsyncs; excludes encoding the client requests');
for (const [name, r] of results) console.log(`${name}: answered ${r.lat.length} requests (${((r.lat.length * POINTS) / r.secs).toFixed(0)} points/s), refused ${r.refused}`);
console.log(`what               ${results.map(([n]) => n.padStart(10)).join('')}      goal`);
const row = (what: string, f: (l: number[]) => number, goal: string) => console.log(`${what.padEnd(19)}${results.map(([, r]) => f(r.lat).toFixed(1).padStart(10)).join('')}      ${goal}`);
row('latency p50, ms', (l) => pct(l, 50), '< 50');
row('latency p99, ms', (l) => pct(l, 99), '< 200');
row('latency max, ms', (l) => l[l.length - 1]!, '');
