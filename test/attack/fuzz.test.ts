// The HTTP and gRPC fuzzers of issue 12, seeded (TELEMD_FUZZ_SEED replays a run): mutated and
// random protobuf/JSON bodies, plus hostile shapes (gzip bombs, bodies that decode to millions
// of objects, deep nesting, lying Content-Length) to a real telemd with valid numbered traffic
// interleaved. The agent must stay up, never answer 5xx other than a retryable 503, deliver
// every valid item, and keep its peak RSS bounded. TELEMD_SOAK=1: 205,000 HTTP bodies and
// 6,000 gRPC calls as in the issue.
import { gzipSync } from 'node:zlib';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { encodeJson } from '../../src/otlp/index.js';
import { SERVICE_PATHS } from '../../receivers/otlp/grpc.js';
import { tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { otlpReceiver } from '../helpers/otlp-receiver.js';
import { logsBody, numberedLogs, seqsInFiles, summarize, waitFor } from '../otlp/traffic.js';
import { jsonTemplates, mutateBytes, mutateJson, protoTemplates, rng } from '../otlp/mutate.js';
import { figure, maxRss } from './figures.js';

const SOAK = process.env.TELEMD_SOAK === '1';
const HTTP_INPUTS = SOAK ? 205_000 : 1_500;
const GRPC_INPUTS = SOAK ? 6_000 : 300;
const SEED = Number(process.env.TELEMD_FUZZ_SEED ?? 20261203);
const startAgent = agentsKilledAfterEach();

/** Hostile shapes that mutation rarely finds; each is cheap to send and expensive to accept. */
function hostile(r: () => number): { body: Uint8Array | string; type: string; encoding?: string } {
  const k = Math.floor(r() * 5);
  if (k === 0) return { body: gzipSync(Buffer.alloc(64 * 1024 * 1024)), type: 'application/x-protobuf', encoding: 'gzip' }; // 64 MiB of zeros in 64 KiB
  if (k === 1) return { body: `{"resourceLogs":[${Array.from({ length: 200_000 }, () => '{}').join(',')}]}`, type: 'application/json' };
  if (k === 2) return { body: '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":' + '{"arrayValue":{"values":['.repeat(500) + ']}}'.repeat(500) + '}]}]}]}', type: 'application/json' };
  if (k === 3) {
    const recs = Buffer.alloc(400_000);
    for (let i = 0; i < recs.length; i += 2) recs[i] = 0x12; // 200,000 empty log records
    return { body: Buffer.concat([Buffer.from([0x0a, 0x84, 0xb5, 0x18, 0x12, 0x80, 0xb5, 0x18]), recs]), type: 'application/x-protobuf' };
  }
  return { body: gzipSync(Buffer.from('not protobuf at all '.repeat(5000))), type: 'application/x-protobuf', encoding: 'gzip' };
}

/** A request whose Content-Length promises more than it sends, then the connection closes. */
function liar(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.end('POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{"resourceLogs":['));
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

describe('attack: HTTP and gRPC fuzzers', () => {
  it(`${HTTP_INPUTS} HTTP bodies and ${GRPC_INPUTS} gRPC calls, seed ${SEED}`, { timeout: (SOAK ? 3600 : 240) * 1000 }, async () => {
    const out = tempDir();
    const { grpc: g, http: h, yaml } = await otlpReceiver();
    const agent = await startAgent({
      config: `${yaml}exporters:
  file: { path: ${out}/fuzz.jsonl, flush_interval: 20ms, fsync: false }
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
    traces: { receivers: [otlp], exporters: [file] }
    metrics: { receivers: [otlp], exporters: [file] }
`,
    });
    const r = rng(SEED);
    const protoT = protoTemplates();
    const jsonT = jsonTemplates();
    const paths = ['traces', 'logs', 'metrics'] as const;
    const client = new grpc.Client(`127.0.0.1:${g}`, grpc.credentials.createInsecure());
    const grpcCall = (path: string, body: Uint8Array) =>
      new Promise<number>((resolve) =>
        client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), new grpc.Metadata(), (err) => resolve(err ? err.code : 0)),
      );
    const statuses = new Map<string, number>();
    const note = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
    let validSeq = 0;
    let peak = 0;
    const total = HTTP_INPUTS + GRPC_INPUTS;
    const one = async (i: number): Promise<void> => {
      if (i % 50 === 0) {
        const from = validSeq;
        validSeq += 10;
        // Valid traffic is retried on a retryable answer, as an SDK would.
        for (;;) {
          const code = (i / 50) % 2 === 0
            ? (await fetch(`http://127.0.0.1:${h}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeJson('logs', numberedLogs(from, 10)) })).status
            : await grpcCall(SERVICE_PATHS.logs, logsBody(from, 10));
          if (code === 200 || code === 0) return;
          expect([503, grpc.status.UNAVAILABLE]).toContain(code);
          await new Promise((res) => setTimeout(res, 100));
        }
      }
      const t = Math.floor(r() * 3);
      const how = r();
      const url = `http://127.0.0.1:${h}/v1/${paths[t]}`;
      if (i % 7 === 3 && i < HTTP_INPUTS) {
        if (r() < 0.2) {
          await liar(h);
          note('http liar');
          return;
        }
        const x = hostile(r);
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': x.type, ...(x.encoding ? { 'content-encoding': x.encoding } : {}) }, body: x.body });
        await res.arrayBuffer();
        note(`http-hostile ${res.status}`);
      } else if (i < HTTP_INPUTS) {
        const json = how < 0.5;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf' },
          body: json ? mutateJson(r, jsonT[t]!) : mutateBytes(r, protoT[t]!),
        });
        await res.arrayBuffer();
        note(`http-${json ? 'json' : 'proto'} ${res.status}`);
      } else note(`grpc ${await grpcCall(SERVICE_PATHS[paths[t]!], mutateBytes(r, protoT[t]!))}`);
      if (i % 200 === 0) peak = Math.max(peak, await maxRss(agent));
    };
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < total) await one(next++);
    }));
    client.close();
    peak = Math.max(peak, await maxRss(agent));

    // HTTP: 200, 400, 413 or a retryable 503; gRPC: OK, INVALID_ARGUMENT, RESOURCE_EXHAUSTED or UNAVAILABLE. Never 500/INTERNAL or a reset.
    for (const k of statuses.keys()) expect(k).toMatch(/^(http-(proto|json|hostile) (200|400|413|503)|http liar|grpc (0|3|8|14))$/);
    expect(agent.proc.exitCode).toBeNull();
    await waitFor(() => new Set(seqsInFiles(out, 'fuzz').logs).size >= validSeq, 30_000, 'valid items in the output');
    const s = summarize(seqsInFiles(out, 'fuzz').logs.filter((x) => !Number.isNaN(x)), validSeq);
    expect(s.missing).toBe(0);
    figure('HTTP and gRPC fuzzers', {
      seed: SEED,
      inputs: total,
      outcomes: Object.fromEntries([...statuses].sort()),
      faults: total - Math.floor(total / 50),
      lost: s.missing,
      crashes: agent.proc.exitCode === null ? 0 : 1,
      maxRssMiB: peak,
    });
    // The byte budget (32 MiB of estimated decoded data) bounds what hostile bodies hold at once;
    // RSS adds the parse tree, the exporter's encoding and V8's heap headroom (docs/memory.md).
    // Before the budget this fuzz drove RSS to 842 MiB.
    expect(peak).toBeLessThan(400);
  });
});
