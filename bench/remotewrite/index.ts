// Remote-write hot path for 100k series: OTLP -> Prometheus translation, series grouping,
// protobuf encoding and snappy, in samples/s, plus bytes per sample on the wire. The peer is
// protobufjs encoding the same WriteRequest (a generic, widely used protobuf encoder).
console.log('includes: translation, grouping, protobuf and snappy for 100k series in this process, against protobufjs encoding the same WriteRequest; excludes: HTTP, retries, the queue');
import { execSync } from 'node:child_process';
import { compressSync } from 'snappy';
import type { Metric, MetricsData } from '../../src/pdata/types.js';
import { buildWriteRequests, encodeWriteRequest, translateMetrics, type WriteRequest } from '../../src/prometheus/index.js';
import { prompb } from '../../test/prometheus/helpers/prompb.js';

const SERIES = Number(process.env.SERIES ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 5);
const PER_METRIC = 100;

function dataset(tsMs: number): MetricsData {
  const metrics: Metric[] = [];
  const ts = BigInt(tsMs) * 1_000_000n;
  for (let m = 0; m < SERIES / PER_METRIC; m++) {
    const points = Array.from({ length: PER_METRIC }, (_, i) => ({
      attributes: { device: `dev${i}`, mode: i % 2 ? 'read' : 'write', 'host.arch': 'amd64', shard: String(m % 7) },
      startTimeUnixNano: ts - 3_600_000_000_000n, timeUnixNano: ts, value: Math.random() * 1e6,
    }));
    metrics.push(
      m % 2
        ? { name: `system.disk.metric_${m}`, unit: 'By', type: 'sum', isMonotonic: true, aggregationTemporality: 2, dataPoints: points }
        : { name: `system.fs.metric_${m}`, unit: 's', type: 'gauge', dataPoints: points },
    );
  }
  return {
    resourceMetrics: [{ resource: { attributes: { 'service.name': 'bench', 'service.instance.id': 'host-1' } }, scopeMetrics: [{ scope: { name: 'hostmetrics', version: '1' }, metrics }] }],
  };
}

function peerObject(req: WriteRequest) {
  return { timeseries: req.timeseries.map((t) => ({ labels: t.labels, samples: t.samples.map((s) => ({ value: s.value, timestamp: s.timestampMs })) })), metadata: [] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => {
  try {
    return execSync('uptime').toString().trim();
  } catch {
    return 'uptime unavailable';
  }
};

const t: Record<string, number[]> = { translate: [], build: [], encode: [], snappy: [], total: [], peerEncode: [], peerSnappy: [] };
let raw = 0;
let wire = 0;
let samples = 0;
let identical = true;
console.log(`remote-write bench: ${SERIES} series, ${RUNS} runs, node ${process.version}`);
console.log(`load before: ${load()}`);
for (let r = 0; r < RUNS + 1; r++) {
  const md = dataset(Date.now());
  const a = performance.now();
  const tr = translateMetrics(md);
  const b = performance.now();
  const built = buildWriteRequests(tr.families, { metadata: false, maxBytes: Number.MAX_SAFE_INTEGER });
  const c = performance.now();
  const bodies = built.requests.map((q) => encodeWriteRequest(q));
  const d = performance.now();
  const compressed = bodies.map((x) => compressSync(x));
  const e = performance.now();
  // Peer: protobufjs encodes the same request (object prep excluded from its time).
  const objs = built.requests.map((q) => prompb.fromObject(peerObject(q)));
  const f = performance.now();
  const peerBodies = objs.map((o) => prompb.encode(o).finish());
  const g = performance.now();
  peerBodies.forEach((x) => compressSync(x));
  const h = performance.now();
  if (r === 0) continue; // warm-up
  identical &&= peerBodies.every((p, i) => Buffer.from(p).equals(bodies[i]!));
  t.translate!.push(b - a);
  t.build!.push(c - b);
  t.encode!.push(d - c);
  t.snappy!.push(e - d);
  t.total!.push(e - a);
  t.peerEncode!.push(g - f);
  t.peerSnappy!.push(h - g);
  raw = bodies.reduce((n, x) => n + x.length, 0);
  wire = compressed.reduce((n, x) => n + x.length, 0);
  samples = built.samples;
}
const ms = (k: string) => median(t[k]!);
const rate = (k: string) => Math.round(samples / (ms(k) / 1000));
console.log(`samples per run: ${samples}`);
console.log(`stage             median ms   samples/s`);
for (const k of ['translate', 'build', 'encode', 'snappy', 'total']) console.log(`${k.padEnd(16)} ${ms(k).toFixed(1).padStart(10)} ${String(rate(k)).padStart(11)}`);
console.log(`peer protobufjs encode ${ms('peerEncode').toFixed(1)} ms (${rate('peerEncode')} samples/s); telemd encode is ${(ms('peerEncode') / ms('encode')).toFixed(2)}x faster; bytes identical: ${identical}`);
console.log(`bytes/sample: protobuf ${(raw / samples).toFixed(2)}, snappy on the wire ${(wire / samples).toFixed(2)} (compression ${(raw / wire).toFixed(2)}x)`);
console.log(`load after: ${load()}`);
