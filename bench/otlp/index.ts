// bench:otlp — codec throughput against @opentelemetry/otlp-transformer and generated protobufjs
// code on the same data, then items/s through a real telemd (receiver -> batch -> exporter).
console.log('includes: codec requests/s in this process (telemd vs otlp-transformer and protobufjs on the same data), then a real telemd process (receiver -> batch -> otlphttp) fed by this process; excludes: data generation, process start-up, the backend sink and the load generator (this process) from the agent CPU');
import { loadavg } from 'node:os';
import { codecBench } from './codec.js';
import { pipelineBench } from './pipeline.js';

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

console.log(`# bench:otlp  node ${process.version}  load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('\n## codec (requests/s on one core; ratio = telemd / peer, > 1 means telemd is faster)');
console.log('signal   op               items/req  telemd req/s  peer req/s  ratio  peer');
for (const r of await codecBench())
  console.log(
    `${r.signal.padEnd(8)} ${r.op.padEnd(16)} ${String(r.items).padStart(9)}  ${fmt(r.telemd).padStart(12)}  ${fmt(r.peer).padStart(10)}  ${(r.telemd / r.peer).toFixed(2).padStart(5)}  ${r.peerName}`,
  );

if (process.argv.includes('--codec-only')) process.exit(0);
console.log('\n## pipeline: OTLP protobuf -> otlp receiver -> batch -> otlphttp -> backend (real telemd process, 500 logs/request, 64 requests in flight)');
for (const transport of ['http', 'grpc'] as const) {
const p = await pipelineBench(transport);
console.log(
  `${transport} in, logs: ${p.items} items in ${p.seconds.toFixed(1)} s = ${fmt(p.itemsPerSec)} items/s delivered; telemd CPU ${p.agentCpuSeconds.toFixed(2)} s ` +
    `(${((p.agentCpuSeconds / p.items) * 1e6).toFixed(2)} µs/item, ${(p.agentCpuSeconds / p.seconds * 100).toFixed(0)}% of a core); ` +
    `${p.backendRequests} backend requests`,
);
}
console.log('peer: no OpenTelemetry Collector binary is installable here (not in Debian or npm), so the pipeline figure is absolute.');
console.log(`load after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
