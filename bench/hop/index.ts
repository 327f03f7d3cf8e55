// Agent-to-agent delivery (issue 13, first row): an edge telemd (OTLP/HTTP in, persistent queue,
// otlp exporter over gRPC) sending to a gateway telemd (OTLP/gRPC in → file, fsync on), both
// real processes on loopback, default settings but the queue's storage.
//   npm run bench:hop [-- --requests 5000] [--records 20] [--runs 2] [--baseline DIR]
// --baseline runs another checkout's build (DIR/bin/telemd.js, built) in the same rounds,
// interleaved, for a before/after in one run on the same machine load.
// Rows (goal: ≥ 50,000 records/s of small requests, drain limited by the backend, not a timer):
//   drain   the gateway is down while the edge acknowledges every request onto its disk; then the
//           gateway starts: records/s from the gateway being ready to the last record in its file
//   live    both up: a client with 16 requests in flight; records/s from the first send to the
//           last record in the gateway's file
//   outage  the gateway stops for 3 s during the live flow: from its return to the first record
//           delivered again
// Includes: both processes, gRPC with gzip, the edge's queue fsyncs and the gateway's file
// fsyncs. Excludes: encoding the client's requests (made before the clock starts).
console.log('includes: two real telemd processes (edge with persistent queue -> gateway OTLP/gRPC -> file, fsync on) on loopback, wall time and CPU-seconds of both from /proc; excludes: start-up, the load generator (this process)');
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startAgent, tempDir, type Agent } from '../../test/helpers/agent.js';
import { freePort } from '../../test/helpers/ports.js';
import { encodeProto } from '../../src/otlp/index.js';
import type { LogsData } from '../../src/pdata/types.js';

const argv = process.argv.slice(2);
const arg = (k: string, d: number) => (argv.includes(k) ? Number(argv[argv.indexOf(k) + 1]) : d);
const REQUESTS = arg('--requests', 5000);
const RECORDS = arg('--records', 20);
const RUNS = arg('--runs', 2);
const BASELINE = argv.includes('--baseline') ? join(resolve(argv[argv.indexOf('--baseline') + 1]!), 'bin', 'telemd.js') : undefined;
const INFLIGHT = 16;
/** Longest a drain is timed (a slow build would take minutes): the rate is records delivered over the time taken. */
const CAP_S = arg('--cap', 30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function body(first: number): Uint8Array {
  const d: LogsData = {
    resourceLogs: [{
      resource: { attributes: { 'service.name': 'edge-app', 'host.name': 'edge-1' } },
      scopeLogs: [{
        scope: { name: 'bench' },
        logRecords: Array.from({ length: RECORDS }, (_, i) => ({
          timeUnixNano: 1_700_000_000_000_000_000n + BigInt(first + i), observedTimeUnixNano: 0n, severityNumber: 9, severityText: 'INFO',
          body: `GET /api/v1/items/${first + i} 200 ${(first + i) % 977} bytes in 3.2ms user=u${(first + i) % 97}`,
          attributes: { seq: BigInt(first + i), 'http.method': 'GET' },
        })),
      }],
    }],
  };
  return encodeProto('logs', d);
}

async function metric(a: Agent, re: RegExp): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${a.selfMetricsPort}/metrics`)).text();
    let n = 0;
    for (const m of text.matchAll(re)) n += Number(m[1]);
    return n;
  } catch {
    return 0;
  }
}
const written = (g: Agent) => metric(g, /^telemd_exporter_sent_items_total\{[^}]*exporter="file"[^}]*\} (\d+)/gm);

async function gateway(port: number, dir: string, bin?: string): Promise<Agent> {
  return startAgent({
    bin,
    dir,
    config: `
receivers:
  otlp: { protocols: { grpc: { endpoint: 127.0.0.1:${port} } } }
exporters:
  file: { path: ${dir}/out.jsonl }
service:
  pipelines: { logs: { receivers: [otlp], exporters: [file] } }

`,
  });
}

async function edge(rx: number, gw: number, bin?: string): Promise<Agent> {
  const dir = tempDir();
  return startAgent({
    bin,
    dir,
    config: `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${rx} } } }
extensions:
  file_storage: { directory: ${dir}/state }
exporters:
  otlp:
    endpoint: 127.0.0.1:${gw}
    tls: { insecure: true }
    sending_queue: { storage: file_storage, queue_size: 100000 }
service:
  extensions: [file_storage]
  pipelines: { logs: { receivers: [otlp], exporters: [otlp] } }

`,
  });
}

/** Posts every body with INFLIGHT in flight, each until 200; resolves when all were acknowledged. */
async function post(port: number, bodies: Uint8Array[]): Promise<void> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: INFLIGHT });
  const one = (b: Uint8Array) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': b.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(b);
    });
  let next = 0;
  await Promise.all(Array.from({ length: INFLIGHT }, async () => {
    while (next < bodies.length) {
      const b = bodies[next++]!;
      for (let tries = 0; (await one(b)) !== 200; tries++) {
        if (tries > 200) throw new Error('edge keeps refusing');
        await sleep(20);
      }
    }
  }));
  agent.destroy();
}

async function until(fn: () => Promise<boolean>, ms: number, step = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(step);
  }
}

interface Round { drain: number; live: number; outageMs: number; cpuPerM: number; edgeCpuPerM: number }

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(parts[11]) + Number(parts[12])) / 100;
}

/** Waits until the gateway wrote `want` records (or CAP_S passed): records/s over that time. */
async function rate(g: Agent, from: number, want: number): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  await until(async () => (n = (await written(g)) - from) >= want || performance.now() - t0 > CAP_S * 1000, 600_000);
  return n / ((performance.now() - t0) / 1000);
}

async function round(bin?: string): Promise<Round> {
  const total = REQUESTS * RECORDS;
  const bodies = Array.from({ length: REQUESTS }, (_, i) => body(i * RECORDS));
  const gwPort = await freePort();
  const rx = await freePort();
  const e = await edge(rx, gwPort, bin);
  // drain: backlog on the edge's disk, gateway down.
  await post(rx, bodies);
  const gdir = tempDir();
  let g = await gateway(gwPort, gdir, bin);
  const cpu0 = cpuSeconds(e.proc.pid!) + cpuSeconds(g.proc.pid!);
  const edge0 = cpuSeconds(e.proc.pid!);
  const drain = await rate(g, 0, total);
  // live: both up (what a capped drain left is delivered in this time too: records/s either way).
  const base = await written(g);
  const t1 = performance.now();
  await post(rx, bodies);
  await until(async () => (await written(g)) - base >= total || performance.now() - t1 > CAP_S * 1000, 600_000);
  const live = ((await written(g)) - base) / ((performance.now() - t1) / 1000);
  const delivered = (await written(g)) || 1;
  const cpuPerM = ((cpuSeconds(e.proc.pid!) + cpuSeconds(g.proc.pid!) - cpu0) / delivered) * 1e6;
  const edgeCpuPerM = ((cpuSeconds(e.proc.pid!) - edge0) / delivered) * 1e6;
  // outage: the gateway goes away for 3 s while requests keep coming (onto the edge's disk).
  await g.stop();
  const down = performance.now();
  await post(rx, bodies.slice(0, Math.min(bodies.length, 500)));
  await sleep(Math.max(0, 3000 - (performance.now() - down)));
  g = await gateway(gwPort, gdir, bin);
  const back = performance.now();
  await until(async () => (await written(g)) > 0, 60_000, 5);
  const outageMs = performance.now() - back;
  await g.stop();
  await e.stop();
  return { drain, live, outageMs, cpuPerM, edgeCpuPerM };
}

console.log(`bench:hop — edge telemd (OTLP/HTTP → persistent queue → otlp/gRPC) → gateway telemd (OTLP/gRPC → file, fsync): ${REQUESTS} requests of ${RECORDS} records, ${INFLIGHT} in flight, ${RUNS} rounds, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('includes both processes, gRPC + gzip, edge queue fsyncs, gateway file fsyncs; excludes encoding the client requests');
const builds: [string, string | undefined][] = [['telemd', undefined], ...(BASELINE ? [['baseline', BASELINE] as [string, string]] : [])];
const rounds = new Map<string, Round[]>(builds.map(([name]) => [name, []]));
for (let r = 0; r < RUNS; r++)
  for (const [name, bin] of builds) {
    const x = await round(bin);
    rounds.get(name)!.push(x);
    console.log(`  round ${r + 1} ${name}: drain ${x.drain.toFixed(0)} records/s, live ${x.live.toFixed(0)} records/s, first delivery ${x.outageMs.toFixed(0)} ms after a 3 s outage, ${x.cpuPerM.toFixed(1)} CPU-s per 1M records (edge ${x.edgeCpuPerM.toFixed(1)} + gateway ${(x.cpuPerM - x.edgeCpuPerM).toFixed(1)})`);
  }
const best = (name: string, f: (r: Round) => number, max = true) => rounds.get(name)!.map(f).reduce((a, b) => (max ? Math.max(a, b) : Math.min(a, b)));
const cols = builds.map(([n]) => n.padStart(12)).join('');
const row = (what: string, f: (r: Round) => number, goal: string, max = true) =>
  console.log(`${what.padEnd(50)}${builds.map(([n]) => best(n, f, max).toFixed(0).padStart(12)).join('')}    ${goal}`);
console.log(`best of ${RUNS} rounds${' '.repeat(36)}${cols}    goal`);
row('edge backlog drain (persistent queue), records/s', (r) => r.drain, '>= 50000');
row('edge → gateway live, records/s', (r) => r.live, '>= 50000');
row('first delivery after a 3 s outage, ms', (r) => r.outageMs, 'prompt (issue: 10,600)', false);
row('CPU-s per 1M records, edge + gateway', (r) => r.cpuPerM, '(what the rate is on an idle 2-core machine: ~2M / this)', false);
console.log(`load after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
