// Items/s through a real telemd process: OTLP/HTTP receiver -> batch -> otlphttp exporter -> a
// backend in this process. The sender waits for each 200 (which telemd gives only after the
// backend took the data), so the rate is end-to-end delivered items.
import { spawn } from 'node:child_process';
import { Agent as HttpAgent, request } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer as netServer } from 'node:net';
import { encodeProto } from '../../src/otlp/index.js';
import type { LogsData, Signal } from '../../src/pdata/types.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = netServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function logs(n: number, base: number): LogsData {
  return {
    resourceLogs: [{
      resource: { attributes: { 'service.name': 'bench', 'host.name': 'h1' } },
      scopeLogs: [{
        scope: { name: 'bench' },
        logRecords: Array.from({ length: n }, (_, i) => ({
          timeUnixNano: 1700000000000000000n + BigInt(i), observedTimeUnixNano: 0n, severityNumber: 9, severityText: 'INFO',
          body: `request ${base + i} completed in ${i % 250} ms with status 200`, attributes: { 'thread.id': BigInt(i % 8), 'user.id': `u-${i % 97}` },
        })),
      }],
    }],
  };
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(parts[11]) + Number(parts[12])) / 100; // utime + stime in clock ticks (100/s)
}

export interface PipelineResult {
  transport: 'http' | 'grpc';
  signal: Signal;
  items: number;
  seconds: number;
  itemsPerSec: number;
  agentCpuSeconds: number;
  backendRequests: number;
}

export async function pipelineBench(transport: 'http' | 'grpc', seconds = 8, batch = 500, concurrency = 64): Promise<PipelineResult> {
  let backendRequests = 0;
  const backend: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      backendRequests++;
      res.setHeader('content-type', 'application/x-protobuf');
      res.end();
    });
  });
  const bp = await freePort();
  await new Promise<void>((r) => backend.listen(bp, '127.0.0.1', r));
  const rx = await freePort();
  const grx = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'telemd-bench-otlp-'));
  const cfgPath = join(dir, 'config.yaml');
  writeFileSync(cfgPath, `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${rx} }
      grpc: { endpoint: 127.0.0.1:${grx} }
processors:
  batch: { send_batch_size: 8192, timeout: 50ms }
exporters:
  otlphttp: { endpoint: http://127.0.0.1:${bp} }
service:
  pipelines:
    logs: { receivers: [otlp], processors: [batch], exporters: [otlphttp] }
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:${await freePort()} }
`);
  const agent = spawn(process.execPath, [join(ROOT, 'bin', 'telemd.js'), 'run', '--config', cfgPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  agent.stdout!.resume();
  // Wait until the receiver answers.
  const bodies = Array.from({ length: 16 }, (_, i) => encodeProto('logs', logs(batch, i * batch)));
  // node:http with keep-alive rather than fetch: the sender shares the 2 cores with telemd.
  const agentHttp = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const postHttp = (b: Uint8Array) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: rx, path: '/v1/logs', method: 'POST', agent: agentHttp, headers: { 'content-type': 'application/x-protobuf', 'content-length': b.length } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(b);
    });
  const client = new grpc.Client(`127.0.0.1:${grx}`, grpc.credentials.createInsecure());
  const id = (x: Buffer) => x;
  const postGrpc = (b: Uint8Array) =>
    new Promise<number>((resolve, reject) =>
      client.makeUnaryRequest('/opentelemetry.proto.collector.logs.v1.LogsService/Export', id, id, Buffer.from(b), new grpc.Metadata(), (err) =>
        err && err.code !== grpc.status.UNAVAILABLE ? reject(err) : resolve(err ? 503 : 200),
      ),
    );
  const post = transport === 'http' ? postHttp : postGrpc;
  for (let t = 0; ; t++) {
    try {
      if ((await post(bodies[0]!)) === 200) break;
    } catch {
      // not listening yet
    }
    if (t > 100) throw new Error('telemd did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu0 = cpuSeconds(agent.pid!);
  const t0 = performance.now();
  let items = 0;
  let k = 0;
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const st = await post(bodies[k++ % bodies.length]!);
        if (st !== 200) throw new Error(`telemd answered ${st}`);
        items += batch;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(agent.pid!) - cpu0;
  client.close();
  agentHttp.destroy();
  agent.kill('SIGTERM');
  await new Promise((r) => agent.on('exit', r));
  backend.closeAllConnections();
  backend.close();
  return { transport, signal: 'logs', items, seconds: secs, itemsPerSec: items / secs, agentCpuSeconds: cpu, backendRequests };
}
