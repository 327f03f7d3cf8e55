// The byte budget (admission.request_limit_mib): the estimated memory of requests being read,
// decoded or held by the pipeline is bounded; past it clients get a retryable answer, and a
// request that alone exceeds the budget is refused (413 / RESOURCE_EXHAUSTED without RetryInfo)
// before its objects are allocated.
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { gzipSync } from 'node:zlib';
import type { Receiver } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import { encodeJson, encodeProto } from '../../src/otlp/index.js';
import type { LogsData } from '../../src/pdata/types.js';
import { factory } from '../../receivers/otlp/index.js';
import { SERVICE_PATHS } from '../../receivers/otlp/grpc.js';
import { freePort } from '../helpers/ports.js';
import { observedAll } from '../helpers/observe.js';
import { host, metricValue, parseConfig, settings } from './helpers.js';
import { numberedLogs } from './traffic.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** Holds every batch until released (a pipeline that is slower than its clients). */
function holding() {
  const waiting: (() => void)[] = [];
  const c: Consumer<LogsData> = { consume: () => new Promise<void>((r) => waiting.push(r)) };
  return { c, held: () => waiting.length, release: () => waiting.splice(0).forEach((r) => r()) };
}

async function start(consumer: Consumer<LogsData>, mib: number) {
  const [g, h] = [await freePort(), await freePort()];
  const set = settings('otlp', 'receiver');
  const cfg = parseConfig(factory.config, {
    protocols: { grpc: { endpoint: `127.0.0.1:${g}` }, http: { endpoint: `127.0.0.1:${h}` } },
    admission: { request_limit_mib: mib },
  });
  const r = factory.create(set, cfg, observedAll(set, { logs: consumer })) as Receiver;
  await r.start(host);
  cleanups.push(() => r.shutdown());
  return { set, url: `http://127.0.0.1:${h}/v1/logs`, grpcAddr: `127.0.0.1:${g}` };
}

const inflight = (set: ReturnType<typeof settings>) => set.registry.values('telemd_inflight_bytes')[0]!.value;

/** ExportLogsServiceRequest with `n` empty log records: 2 bytes each on the wire, ~130 bytes each decoded. */
function emptyRecords(n: number): Buffer {
  const len = (b: Buffer) => {
    const out: number[] = [];
    let v = b.length;
    while (v > 127) {
      out.push((v & 127) | 128);
      v >>>= 7;
    }
    out.push(v);
    return Buffer.from(out);
  };
  const recs = Buffer.alloc(2 * n);
  for (let i = 0; i < n; i++) recs[2 * i] = 0x12;
  const scope = Buffer.concat([Buffer.from([0x12]), len(recs), recs]);
  return Buffer.concat([Buffer.from([0x0a]), len(scope), scope]);
}

describe('otlp receiver byte budget', () => {
  it('refuses with 503 + Retry-After (HTTP) and UNAVAILABLE + RetryInfo (gRPC) once the data held reaches the budget, and accepts again when it drains', async () => {
    const p = holding();
    const { set, url, grpcAddr } = await start(p.c, 1);
    const body = encodeJson('logs', numberedLogs(0, 100)); // ~0.1 MiB estimated
    const answers: Promise<Response>[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      const res = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      answers.push(res);
      // Each accepted one is held by the pipeline; wait until it is (or the answer came).
      const first = await Promise.race([res, new Promise((r) => setTimeout(r, 300))]);
      if (first instanceof Response && first.status === 503) refused = first;
    }
    expect(refused, 'a request past the budget is refused').toBeDefined();
    expect(refused!.headers.get('retry-after')).toBe('1');
    expect(await refused!.text()).toMatch(/byte budget full/);
    expect(p.held()).toBeGreaterThanOrEqual(2);
    expect(inflight(set)).toBeLessThanOrEqual(1024 * 1024);
    expect(metricValue(set.registry, 'telemd_receiver_refused_requests_total', { reason: 'memory_budget' })).toBeGreaterThanOrEqual(1);

    // gRPC is refused too, retryably.
    const client = new grpc.Client(grpcAddr, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(SERVICE_PATHS.logs, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(encodeProto('logs', numberedLogs(0, 2000))), new grpc.Metadata(), (e) => resolve(e)),
    );
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(err?.metadata.get('grpc-status-details-bin').length).toBe(1); // RetryInfo

    // The pipeline drains: every held request is answered 200, and new ones are accepted.
    p.release();
    const held = await Promise.all(answers.filter((a) => a !== undefined));
    expect(held.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(2);
    expect(inflight(set)).toBe(0);
    const after = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await new Promise((r) => setTimeout(r, 50));
    p.release();
    expect((await after).status).toBe(200);
    client.close();
  });

  it('refuses before decoding a protobuf body whose objects alone would exceed the budget (413), and a gzip body the same after inflating', async () => {
    const p = holding();
    const { set, url, grpcAddr } = await start(p.c, 1);
    // 1 MiB on the wire, ~65 MiB if decoded.
    const hostile = emptyRecords(500_000);
    expect(hostile.length).toBeLessThan(1.1 * 1024 * 1024);
    const before = process.memoryUsage().heapUsed;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: hostile });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/byte budget/);
    const gz = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body: gzipSync(emptyRecords(300_000)) });
    expect(gz.status).toBe(413);
    // Nowhere near the 65 MiB the records would have taken.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(40 * 1024 * 1024);
    expect(p.held()).toBe(0);
    expect(inflight(set)).toBe(0);

    const client = new grpc.Client(grpcAddr, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(SERVICE_PATHS.logs, (b: Buffer) => b, (b: Buffer) => b, hostile, new grpc.Metadata(), (e) => resolve(e)),
    );
    expect(err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err?.metadata.get('grpc-status-details-bin').length).toBe(0); // not retryable
    client.close();
  });

  it('a JSON body is costed before it is parsed: a million empty objects are refused without JSON.parse', async () => {
    const { set, url } = await start(holding().c, 4);
    const body = `{"resourceLogs":[${Array.from({ length: 1_000_000 }, () => '{}').join(',')}]}`;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    expect(metricValue(set.registry, 'telemd_receiver_refused_requests_total', { reason: 'too_large' })).toBe(1);
  });
});
