// 10,000 random and mutated protobuf/JSON bodies to both receivers of a real telemd, with valid
// numbered traffic interleaved: the agent stays up, answers 400 (never 5xx or a dropped
// connection), and every valid item arrives.
import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { otlpReceiver } from '../helpers/otlp-receiver.js';
import { encodeJson } from '../../src/otlp/index.js';
import { SERVICE_PATHS } from '../../receivers/otlp/grpc.js';
import { logsBody, numberedLogs, seqsInFiles, summarize, waitFor } from './traffic.js';
import { jsonTemplates, mutateBytes, mutateJson, protoTemplates, rng } from './mutate.js';

const FUZZ = 10_000;
const VALID_EVERY = 50;

const templatesProto = protoTemplates();
const templatesJson = jsonTemplates();

const startAgent = agentsKilledAfterEach();

describe('fuzz', () => {

  // The machine is shared: 40 s alone, over 60 s when eight engineers' jobs run.
  it('survives 10,000 hostile bodies and delivers the valid ones interleaved with them', { timeout: 180_000 }, async () => {
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
    const r = rng(20261122);
    const client = new grpc.Client(`127.0.0.1:${g}`, grpc.credentials.createInsecure());
    const grpcCall = (path: string, body: Uint8Array) =>
      new Promise<number>((resolve) =>
        client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), new grpc.Metadata(), (err) => resolve(err ? err.code : 0)),
      );
    const statuses = new Map<string, number>();
    const note = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
    let validSeq = 0;
    const validPer = 10;
    const paths = ['traces', 'logs', 'metrics'] as const;

    const one = async (i: number): Promise<void> => {
      if (i % VALID_EVERY === 0) {
        const from = validSeq;
        validSeq += validPer;
        // Retried on a retryable answer (the agent out of CPU refuses with 503 / UNAVAILABLE), as an SDK would.
        for (;;) {
          let code: number;
          if ((i / VALID_EVERY) % 2 === 0) {
            const res = await fetch(`http://127.0.0.1:${h}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeJson('logs', numberedLogs(from, validPer)) });
            await res.arrayBuffer();
            code = res.status;
          } else code = await grpcCall(SERVICE_PATHS.logs, logsBody(from, validPer));
          if (code === 200 || code === 0) return;
          expect([503, grpc.status.UNAVAILABLE]).toContain(code);
          await new Promise((res) => setTimeout(res, 100));
        }
      }
      const t = Math.floor(r() * 3);
      const how = r();
      if (how < 0.4) {
        const res = await fetch(`http://127.0.0.1:${h}/v1/${paths[t]}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: mutateBytes(r, templatesProto[t]!) });
        await res.arrayBuffer();
        note(`http-proto ${res.status}`);
      } else if (how < 0.75) {
        const res = await fetch(`http://127.0.0.1:${h}/v1/${paths[t]}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: mutateJson(r, templatesJson[t]!) });
        await res.arrayBuffer();
        note(`http-json ${res.status}`);
      } else note(`grpc ${await grpcCall(SERVICE_PATHS[paths[t]!], mutateBytes(r, templatesProto[t]!))}`);
    };

    const CONC = 16;
    let next = 0;
    await Promise.all(Array.from({ length: CONC }, async () => {
      while (next < FUZZ) await one(next++);
    }));
    client.close();

    // Only 200/400 (HTTP) and OK/INVALID_ARGUMENT (gRPC), or a retryable refusal when out of CPU: no other 5xx, no INTERNAL, no dropped connections.
    for (const k of statuses.keys()) expect(k).toMatch(/^(http-(proto|json) (200|400|503)|grpc (0|3|14))$/);
    const refused = [...statuses].filter(([k]) => / (400|3)$/.test(k)).reduce((a, [, v]) => a + v, 0);
    expect(refused).toBeGreaterThan(FUZZ * 0.8);
    expect(agent.proc.exitCode).toBeNull();

    await waitFor(() => new Set(seqsInFiles(out, 'fuzz').logs).size >= validSeq, 15_000, 'valid items in the output');
    const s = summarize(seqsInFiles(out, 'fuzz').logs.filter((x) => !Number.isNaN(x)), validSeq);
    expect(s.missing).toBe(0);
    expect(s.unique).toBeGreaterThanOrEqual(validSeq);
    const m = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    expect(m).toMatch(/telemd_receiver_refused_requests_total\{[^}]*reason="malformed"[^}]*\} [1-9]/);
    console.log('fuzz outcomes', Object.fromEntries(statuses), 'valid items', validSeq);
  });
});
