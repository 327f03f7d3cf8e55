// Gateway capacity (docs/scaling.md): how many log records per second one telemd gateway moves
// per core of CPU, for the tier between agents and the backends. The gateway is a real telemd
// (OTLP/gRPC in -> batch -> out), fed by gRPC clients in this process with pre-encoded requests
// (NRECORDS per request, --inflight requests in flight); what it sends goes to a sink in this
// process that acknowledges at once. Rows, side by side in the same run:
//   forward      otlp -> batch -> otlp exporter (one backend)            the plain gateway
//   loadbalance  otlp -> loadbalancing (traceID, 3 backends)             an edge or first tier
//   receive      otlp -> nop                                            the receiving side alone
// Figures: records/s delivered (wall), gateway CPU-seconds (utime+stime from /proc), records per
// CPU-second = per core at saturation, and each row's ratio to `forward`.
//   npm run bench:gateway [-- --seconds 10] [--records 200] [--inflight 8]
console.log('includes: the gateway process (decode, batch, encode, gzip off, gRPC both ways) measured by its own CPU-seconds; excludes: the load generator and the sink (this process, same 2 cores), start-up');
import { readFileSync } from 'node:fs';
import type * as Grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { startAgent, type Agent } from '../../test/helpers/agent.js';
import { freePort } from '../../test/helpers/ports.js';
import { encodeProto } from '../../src/otlp/index.js';
import { loadGrpc, SERVICE_PATHS } from '../../src/otlp/grpc-module.js';
import type { LogsData } from '../../src/pdata/types.js';

const argv = process.argv.slice(2);
const arg = (k: string, d: number) => (argv.includes(k) ? Number(argv[argv.indexOf(k) + 1]) : d);
const SECONDS = arg('--seconds', 10);
const RECORDS = arg('--records', 200);
const INFLIGHT = arg('--inflight', 8);
const identity = (b: Buffer) => b;

function request(n: number): Buffer {
  const d: LogsData = {
    resourceLogs: [{
      resource: { attributes: { 'service.name': 'checkout', 'host.name': 'web-17', 'host.id': randomBytes(16).toString('hex') } },
      scopeLogs: [{
        scope: { name: 'bench' },
        logRecords: Array.from({ length: n }, (_, i) => ({
          timeUnixNano: BigInt(Date.now()) * 1_000_000n, observedTimeUnixNano: 0n, severityNumber: 9, severityText: 'INFO',
          body: `GET /api/cart/${i} 200 ${(i * 7) % 300}ms user=${i % 97}`,
          attributes: { 'http.method': 'GET', 'http.status_code': 200 },
          traceId: new Uint8Array(randomBytes(16)), spanId: new Uint8Array(randomBytes(8)),
        })),
      }],
    }],
  } as unknown as LogsData;
  return Buffer.from(encodeProto('logs', d));
}

/** A hostmetrics-like request: gauge/sum points with a few attributes, one resource per host. */
function metricsRequest(n: number): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const metrics = Array.from({ length: Math.ceil(n / 10) }, (_, m) => ({
    name: `system.metric_${m}`, unit: 'By', description: '', type: 'gauge',
    dataPoints: Array.from({ length: 10 }, (_, i) => ({ attributes: { device: `sd${i}`, state: 'used' }, startTimeUnixNano: 0n, timeUnixNano: now, value: i * 1.5 })),
  }));
  const d = { resourceMetrics: [{ resource: { attributes: { 'host.name': 'web-17', 'host.id': randomBytes(16).toString('hex') } }, scopeMetrics: [{ scope: { name: 'bench' }, metrics }] }] };
  return Buffer.from(encodeProto('metrics', d as never));
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function selfMetric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const l of text.split('\n')) if (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) total += Number(l.split(' ').pop());
  return total;
}

async function sinks(grpc: typeof Grpc, n: number, signal: 'logs' | 'metrics'): Promise<{ ports: number[]; close: () => void }> {
  const servers: Grpc.Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = new grpc.Server({ 'grpc.max_receive_message_length': -1 });
    s.addService({ Export: { path: SERVICE_PATHS[signal], requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity, originalName: 'Export' } } as unknown as Grpc.ServiceDefinition, {
      Export: (_call: Grpc.ServerUnaryCall<Buffer, Buffer>, cb: Grpc.sendUnaryData<Buffer>) => cb(null, Buffer.alloc(0)),
    });
    ports.push(await new Promise<number>((res, rej) => s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p)))));
    servers.push(s);
  }
  return { ports, close: () => servers.forEach((s) => s.forceShutdown()) };
}

const exporters = (kind: string, ports: number[]) =>
  kind === 'forward'
    ? `  otlp:\n    endpoint: 127.0.0.1:${ports[0]}\n    tls: { insecure: true }\n    compression: none\n    sending_queue: { num_consumers: 4 }\n`
    : kind === 'loadbalance'
      ? `  loadbalancing:\n    resolver: { static: { hostnames: [${ports.map((p) => `127.0.0.1:${p}`).join(', ')}] } }\n    protocol:\n      otlp: { tls: { insecure: true }, compression: none, sending_queue: { num_consumers: 4 } }\n`
      : '  nop:\n';

async function row(grpc: typeof Grpc, kind: 'forward' | 'loadbalance' | 'receive', body: Buffer, signal: 'logs' | 'metrics' = 'logs'): Promise<{ rate: number; perCore: number; cpu: number }> {
  const sink = await sinks(grpc, kind === 'loadbalance' ? 3 : 1, signal);
  const port = await freePort();
  const exp = kind === 'forward' ? 'otlp' : kind === 'loadbalance' ? 'loadbalancing' : 'nop';
  const gw: Agent = await startAgent({
    nodeArgs: ['--v8-pool-size=1', '--max-semi-space-size=1'],
    config: `receivers:\n  otlp:\n    protocols:\n      grpc: { endpoint: 127.0.0.1:${port}, max_recv_msg_size_mib: 64 }\nprocessors:\n  batch: { send_batch_size: 8192, timeout: 200ms }\nexporters:\n${exporters(kind, sink.ports)}service:\n  pipelines:\n    ${signal}: { receivers: [otlp], processors: [${kind === 'receive' ? '' : 'batch'}], exporters: [${exp}] }\n`,
  });
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  let stop = false;
  let sent = 0;
  const worker = async () => {
    while (!stop)
      await new Promise<void>((res) =>
        client.makeUnaryRequest(SERVICE_PATHS[signal], identity, identity, body, new grpc.Metadata(), {}, (err) => {
          if (!err) sent++;
          res();
        }),
      );
  };
  // A second of warm-up (JIT, connections), then the measured window.
  const workers = Array.from({ length: INFLIGHT }, worker);
  await new Promise((r) => setTimeout(r, 1000));
  const sentMetric = kind === 'receive' ? 'telemd_receiver_accepted_items_total' : 'telemd_exporter_sent_items_total';
  const items0 = await selfMetric(gw.selfMetricsPort, sentMetric);
  const cpu0 = cpuSeconds(gw.proc.pid!);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const items = (await selfMetric(gw.selfMetricsPort, sentMetric)) - items0;
  const cpu = cpuSeconds(gw.proc.pid!) - cpu0;
  const wall = (Date.now() - t0) / 1000;
  stop = true;
  await Promise.all(workers);
  client.close();
  await gw.stop();
  sink.close();
  void sent;
  return { rate: items / wall, perCore: items / cpu, cpu: cpu / wall };
}

const grpc = await loadGrpc();
const body = request(RECORDS);
console.log(`gateway: ${RECORDS} log records per request (${body.length} bytes protobuf), ${INFLIGHT} requests in flight, ${SECONDS} s per row after 1 s warm-up`);
const results: Record<string, { rate: number; perCore: number; cpu: number }> = {};
const rows = [['forward', 'logs'], ['loadbalance', 'logs'], ['receive', 'logs'], ['forward', 'metrics'], ['loadbalance', 'metrics']] as const;
const metricsBody = metricsRequest(RECORDS);
for (const [kind, signal] of rows) {
  const name = `${kind} ${signal}`;
  results[name] = await row(grpc, kind, signal === 'logs' ? body : metricsBody, signal);
  const r = results[name]!;
  const unit = signal === 'logs' ? 'records' : 'points ';
  console.log(`${name.padEnd(20)} ${Math.round(r.rate).toLocaleString('en').padStart(10)} ${unit}/s   gateway CPU ${r.cpu.toFixed(2)} cores   ${Math.round(r.perCore).toLocaleString('en').padStart(10)} ${unit} per CPU-second   ${(r.perCore / results[`forward ${signal}`]!.perCore).toFixed(2)}x forward ${signal}`);
}
