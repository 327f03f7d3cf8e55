// Items per second through each processor of issue 7, on one core (one event loop), next to a
// pass-through processor as the peer: the ratio shows what each processor costs on top of the
// shared shell. Batches are built before timing because processors mutate them.
console.log('includes: each processor on prebuilt batches in this process, against a pass-through processor; excludes: batch construction, receivers, exporters, GC of the batches afterwards');
import { execSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import type { ProcessorFactory, Host } from '../../src/component/component.js';
import { ParseContext } from '../../src/config/schema.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import type { LogsData, MetricsData, Signal, SignalData, TracesData } from '../../src/pdata/types.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import { factory as memoryLimiter } from '../../processors/memory_limiter/index.js';
import { factory as sampler } from '../../processors/probabilistic_sampler/index.js';
import { factory as rateLimit } from '../../processors/rate_limit/index.js';
import { factory as filter } from '../../processors/filter/index.js';
import { factory as attributes } from '../../processors/attributes/index.js';
import { factory as resource } from '../../processors/resource/index.js';
import { factory as resourcedetection } from '../../processors/resourcedetection/index.js';
import { factory as transform } from '../../processors/transform/index.js';
import { factory as c2d } from '../../processors/cumulativetodelta/index.js';
import { factory as d2c } from '../../processors/deltatocumulative/index.js';

// Collect the garbage of building batches before each timed trial so that it is not charged to
// the processor under test (without this, GC of the input dominated the profile).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const BATCH = 1000;
const BATCHES = 100;
const TRIALS = 5;
const GOAL = 500_000;

const host: Host = {
  getExtension: () => undefined,
  getStorage: () => Promise.reject(new Error('none')),
  reportFatal: () => {},
};
const sink = { consume: async () => {} };

function settings(id: string) {
  return { id: { type: id, name: '', id }, kind: 'processor' as const, logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) };
}

const paths = ['/var/log/syslog', '/var/log/auth.log', '/var/log/nginx/access.log', '/var/log/app.log'];
let seq = 0;

function logBatch(): LogsData {
  const recs = [];
  for (let i = 0; i < BATCH; i++) {
    seq++;
    recs.push({
      timeUnixNano: BigInt(seq), observedTimeUnixNano: BigInt(seq), severityNumber: [5, 9, 13, 17][seq % 4]!,
      severityText: ['DEBUG', 'INFO', 'WARN', 'ERROR'][seq % 4], body: seq % 10 === 0 ? 'GET /healthcheck 200' : `request ${seq} served in ${seq % 97}ms`,
      attributes: { 'log.file.path': paths[seq % 4]!, 'http.method': 'GET', 'user.id': `u${seq % 5000}`, 'http.status_code': BigInt(200 + (seq % 5) * 100), 'request.id': `req-${seq}` },
      traceId: seq % 3 === 0 ? new Uint8Array(0) : Uint8Array.from({ length: 16 }, (_, j) => (seq * 31 + j * 7) & 255),
    });
  }
  return { resourceLogs: [{ resource: { attributes: { 'service.name': 'api', 'host.name': 'h1' } }, scopeLogs: [{ scope: { name: 'filelog' }, logRecords: recs }] }] };
}

function traceBatch(): TracesData {
  const spans = [];
  for (let i = 0; i < BATCH; i++) {
    seq++;
    spans.push({
      traceId: Uint8Array.from({ length: 16 }, (_, j) => (seq * 131 + j * 17) & 255), spanId: Uint8Array.from({ length: 8 }, (_, j) => (seq + j) & 255),
      name: seq % 10 === 0 ? 'GET /health' : 'GET /api/items', kind: 2, startTimeUnixNano: 1n, endTimeUnixNano: 2n,
      attributes: { 'http.route': '/api/items', 'http.status_code': BigInt(200 + (seq % 5) * 100), 'user.id': `u${seq % 5000}` },
      events: [], links: [], status: { code: 0 },
    });
  }
  return { resourceSpans: [{ resource: { attributes: { 'service.name': 'api' } }, scopeSpans: [{ scope: { name: 'lib' }, spans }] }] };
}

let tick = 0n;
/** 1000 series (10 metrics x 100 attribute sets), one point each, time advancing per batch. */
function metricBatch(temporality: 1 | 2): MetricsData {
  tick += 10n;
  const metrics = [];
  for (let m = 0; m < 10; m++) {
    const dataPoints = [];
    for (let a = 0; a < BATCH / 10; a++)
      dataPoints.push({ attributes: { cpu: BigInt(a), state: 'user' }, startTimeUnixNano: 1n, timeUnixNano: tick, value: temporality === 2 ? Number(tick) * 3 : 3 });
    metrics.push({ type: 'sum' as const, name: `system.metric.${m}`, aggregationTemporality: temporality, isMonotonic: true, dataPoints });
  }
  return { resourceMetrics: [{ resource: { attributes: { 'host.name': 'h1' } }, scopeMetrics: [{ scope: { name: 'hostmetrics' }, metrics }] }] };
}

const BUILD: Record<Signal, () => SignalData[Signal]> = { logs: logBatch, traces: traceBatch, metrics: () => metricBatch(2) };

interface Case {
  name: string;
  signal: Signal;
  factory?: ProcessorFactory<unknown>;
  config?: unknown;
  build?: () => SignalData[Signal];
}

const cases: Case[] = [
  { name: 'visit-each (peer)', signal: 'logs' },
  { name: 'memory_limiter', signal: 'logs', factory: memoryLimiter as ProcessorFactory<unknown>, config: { limit_mib: 8192 } },
  { name: 'probabilistic_sampler', signal: 'traces', factory: sampler as ProcessorFactory<unknown>, config: { sampling_percentage: 25 } },
  { name: 'probabilistic_sampler', signal: 'logs', factory: sampler as ProcessorFactory<unknown>, config: { sampling_percentage: 25, from_attribute: 'user.id' } },
  { name: 'rate_limit', signal: 'logs', factory: rateLimit as ProcessorFactory<unknown>, config: { rate: 1000, keys: ['log.file.path'] } },
  { name: 'filter (conditions)', signal: 'logs', factory: filter as ProcessorFactory<unknown>, config: { logs: { log_record: ['severity_number < SEVERITY_NUMBER_INFO', 'IsMatch(body, "healthcheck")'] } } },
  { name: 'filter (legacy)', signal: 'traces', factory: filter as ProcessorFactory<unknown>, config: { spans: { exclude: { match_type: 'regexp', span_names: ['health'] } } } },
  { name: 'filter (datapoint)', signal: 'metrics', factory: filter as ProcessorFactory<unknown>, config: { metrics: { datapoint: ['attributes["cpu"] > 90'] } } },
  { name: 'attributes (no hash)', signal: 'logs', factory: attributes as ProcessorFactory<unknown>, config: { actions: [{ key: 'env', action: 'insert', value: 'prod' }, { key: 'http.method', action: 'delete' }, { key: 'code', action: 'upsert', from_attribute: 'http.status_code' }, { key: 'code', action: 'convert', converted_type: 'string' }] } },
  { name: 'attributes (hash)', signal: 'logs', factory: attributes as ProcessorFactory<unknown>, config: { actions: [{ key: 'user.id', action: 'hash' }] } },
  // Every value new: no help from the hash memo (SHA-256 for each record).
  { name: 'attributes (hash, unique)', signal: 'logs', factory: attributes as ProcessorFactory<unknown>, config: { actions: [{ key: 'request.id', action: 'hash' }] } },
  { name: 'resource', signal: 'logs', factory: resource as ProcessorFactory<unknown>, config: { attributes: [{ key: 'env', action: 'upsert', value: 'prod' }] } },
  { name: 'resourcedetection', signal: 'logs', factory: resourcedetection as ProcessorFactory<unknown>, config: { detectors: ['system'], system: { hostname_sources: ['os'] } } },
  { name: 'transform', signal: 'logs', factory: transform as ProcessorFactory<unknown>, config: { log_statements: ['set(attributes["level"], severity_text) where severity_number >= SEVERITY_NUMBER_WARN', 'delete_key(attributes, "http.method")'] } },
  { name: 'cumulativetodelta', signal: 'metrics', factory: c2d as ProcessorFactory<unknown>, config: {}, build: () => metricBatch(2) },
  { name: 'deltatocumulative', signal: 'metrics', factory: d2c as ProcessorFactory<unknown>, config: {}, build: () => metricBatch(1) },
];

async function run(c: Case): Promise<{ wall: number; cpu: number }> {
  let p;
  if (c.factory) {
    const ctx = new ParseContext();
    const cfg = c.factory.config.parse(c.config, ctx);
    if (ctx.issues.length) throw new Error(JSON.stringify(ctx.issues));
    p = c.factory.create(settings(c.factory.type), cfg, c.signal, sink);
  } else
    // The peer visits every record and reads one attribute: the least a per-item processor does.
    p = new SimpleProcessor(settings('passthrough'), c.signal, sink, (d) => {
      let n = 0;
      for (const rl of (d as LogsData).resourceLogs)
        for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) if (lr.attributes['log.file.path'] !== undefined) n++;
      return n >= 0 ? d : undefined;
    });
  await p.start(host);
  const build = c.build ?? BUILD[c.signal];
  // Warm up (JIT, and state for the temporality processors).
  for (let i = 0; i < 20; i++) await p.consume(build());
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const batches = Array.from({ length: BATCHES }, build);
    gc();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (const b of batches) await p.consume(b);
    const ns = Number(process.hrtime.bigint() - t0);
    const cu = process.cpuUsage(c0);
    rates.push((BATCHES * BATCH) / (ns / 1e9));
    cpuRates.push((BATCHES * BATCH) / Math.max(1e-6, (cu.user + cu.system) / 1e6));
  }
  await p.shutdown();
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wall: med(rates), cpu: med(cpuRates) };
}

const load = (() => {
  try {
    return execSync('uptime').toString().trim();
  } catch {
    return 'uptime unavailable';
  }
})();
console.log(`bench:processors — ${BATCHES} batches x ${BATCH} items per trial, median of ${TRIALS} trials, one event loop, GC before each trial`);
console.log(`load: ${load}`);
console.log(`node ${process.version}`);
console.log('');
// Other work on the machine stretches wall time; items per CPU-second of this process is the
// steadier figure on a shared box (it includes GC threads, so it errs low).
console.log('processor'.padEnd(26) + 'signal'.padEnd(9) + 'items/s wall'.padStart(14) + 'items/cpu-s'.padStart(14) + '  vs peer  vs goal(500k, cpu)');
// Optional name filter: `npm run bench:processors -- filter` (the peer always runs).
const only = process.argv[2];
let peer = 0;
for (const c of cases) {
  if (only && c.factory && !c.name.includes(only)) continue;
  const { wall, cpu } = await run(c);
  if (!c.factory) peer = cpu;
  const ratio = peer ? (cpu / peer).toFixed(3) : '-';
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(14);
  console.log(c.name.padEnd(26) + c.signal.padEnd(9) + fmt(wall) + fmt(cpu) + `  ${ratio.padStart(7)}x  ${(cpu / GOAL).toFixed(2).padStart(6)}x ${cpu >= GOAL ? 'ok' : 'BELOW GOAL'}`);
}
