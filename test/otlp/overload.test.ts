// CPU overload (admission.max_queue_wait): requests are decoded in event-loop turns, oldest
// first; when what waits would keep a new request past the limit it is refused retryably
// (503 + Retry-After / UNAVAILABLE + RetryInfo) before it is decoded, every acknowledged item
// reaches the pipeline, no refused one does; a burst the process can take, or a single stall,
// is not refused.
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import type { Receiver } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import { encodeJson, encodeProto } from '../../src/otlp/index.js';
import type { LogsData } from '../../src/pdata/types.js';
import { factory } from '../../receivers/otlp/index.js';
import { SERVICE_PATHS } from '../../receivers/otlp/grpc.js';
import { Turns } from '../../receivers/otlp/turns.js';
import { freePort } from '../helpers/ports.js';
import { observedAll } from '../helpers/observe.js';
import { host, metricValue, parseConfig, settings } from './helpers.js';
import { numberedLogs } from './traffic.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** Keeps the event loop (the only CPU the agent has) busy for `ms`, as an exporter encoding a big batch does. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const seqs = (d: LogsData) => d.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords.map((l) => Number(l.attributes.seq))));

describe('Turns (decoding in event-loop turns)', () => {
  it('runs a burst that arrived at once, all of it, in arrival order', async () => {
    const t = new Turns(100);
    const order: number[] = [];
    const got = await Promise.all(Array.from({ length: 200 }, (_, i) => t.run(100, () => (order.push(i), 'ran'), () => 'refused')));
    expect(got.every((g) => g === 'ran')).toBe(true);
    expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(t.length).toBe(0);
  });

  it('does not refuse after a single stall (one long wait is not overload)', async () => {
    const t = new Turns(50);
    const all = Array.from({ length: 20 }, () => t.run(100, () => 'ran', () => 'refused'));
    spin(300); // everyone waits 6x the limit, once
    expect((await Promise.all(all)).every((g) => g === 'ran')).toBe(true);
  });

  it('refuses new requests once the measured drain rate says they would wait past the limit, and settles each request once', async () => {
    const t = new Turns(50);
    let ran = 0;
    let refused = 0;
    // Each request costs 10 ms of loop time: 40 waiting are ~400 ms of work.
    const all = Array.from({ length: 40 }, () =>
      t.run(1000, () => (spin(10), ran++), () => refused++),
    );
    await new Promise((r) => setTimeout(r, 60));
    expect(t.expectedWait()).toBeGreaterThan(50);
    expect(t.behind()).toMatch(/overloaded.*max_queue_wait 50 ms/);
    await Promise.all(all);
    expect(ran + refused).toBe(40);
    expect(refused).toBeGreaterThan(0); // the ones still waiting past 2x the limit, once waits stayed there
    expect(t.behind()).toBeUndefined(); // drained: nothing waits
  });

  it('with max_queue_wait 0 runs at once and never refuses', async () => {
    const t = new Turns(0);
    let ran = false;
    const p = t.run(1, () => (ran = true), () => false);
    expect(ran).toBe(true);
    expect(await p).toBe(true);
    expect(t.behind()).toBeUndefined();
  });
});

describe('otlp receiver under CPU overload', () => {
  async function start(consumer: Consumer<LogsData>, admission: Record<string, unknown>) {
    const [g, h] = [await freePort(), await freePort()];
    const set = settings('otlp', 'receiver');
    const cfg = parseConfig(factory.config, {
      protocols: { grpc: { endpoint: `127.0.0.1:${g}` }, http: { endpoint: `127.0.0.1:${h}` } },
      admission,
    });
    const r = factory.create(set, cfg, observedAll(set, { logs: consumer })) as Receiver;
    await r.start(host);
    cleanups.push(() => r.shutdown());
    return { set, url: `http://127.0.0.1:${h}/v1/logs`, grpcAddr: `127.0.0.1:${g}` };
  }

  it('refuses with 503 + Retry-After before decoding while the pipeline saturates the CPU; nothing acknowledged is lost, nothing refused is consumed', async () => {
    const consumed = new Set<number>();
    // A pipeline costing 15 ms of loop time per request: 8 clients sending back to back are ~3x what it can take.
    const c: Consumer<LogsData> = {
      consume: async (d) => {
        spin(15);
        for (const s of seqs(d)) consumed.add(s);
      },
    };
    const { set, url, grpcAddr } = await start(c, { max_queue_wait: '60ms' });
    const acked = new Set<number>();
    const refusedSeqs = new Set<number>();
    let refusal: { status: number; retryAfter: string | null; text: string } | undefined;
    let next = 0;
    const until = performance.now() + 1500;
    const client = async () => {
      while (performance.now() < until) {
        const from = (next += 10) - 10;
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeJson('logs', numberedLogs(from, 10)) });
        const text = await res.text();
        const mine = Array.from({ length: 10 }, (_, i) => from + i);
        if (res.status === 200) mine.forEach((s) => acked.add(s));
        else if (res.status === 503) {
          mine.forEach((s) => refusedSeqs.add(s));
          refusal ??= { status: res.status, retryAfter: res.headers.get('retry-after'), text };
        } else throw new Error(`unexpected ${res.status}: ${text}`);
      }
    };
    await Promise.all(Array.from({ length: 24 }, client));
    expect(refusal, 'some requests were refused').toBeDefined();
    expect(refusal!.retryAfter).toBe('1');
    expect(JSON.parse(refusal!.text).message).toMatch(/overloaded/);
    expect(acked.size).toBeGreaterThan(0);
    for (const s of acked) expect(consumed.has(s)).toBe(true);
    for (const s of refusedSeqs) expect(consumed.has(s)).toBe(false);
    expect(metricValue(set.registry, 'telemd_receiver_refused_requests_total', { reason: 'overloaded' })).toBeGreaterThan(0);

    // gRPC shares the queue: while it is behind, a call is refused UNAVAILABLE with RetryInfo.
    const grpcClient = new grpc.Client(grpcAddr, grpc.credentials.createInsecure());
    const calls = Array.from({ length: 40 }, (_, i) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        grpcClient.makeUnaryRequest(SERVICE_PATHS.logs, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(encodeProto('logs', numberedLogs(100_000 + i * 10, 10))), new grpc.Metadata(), (e) => resolve(e)),
      ),
    );
    const errs = await Promise.all(calls);
    const unavailable = errs.filter((e) => e?.code === grpc.status.UNAVAILABLE);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(unavailable[0]!.metadata.get('grpc-status-details-bin').length).toBe(1);
    expect(errs.every((e) => e === null || e.code === grpc.status.UNAVAILABLE)).toBe(true);
    grpcClient.close();
  });

  it('with max_queue_wait 0 takes the same load without refusing (the byte budget alone)', async () => {
    let n = 0;
    const c: Consumer<LogsData> = { consume: async () => (spin(15), void n++) };
    const { url } = await start(c, { max_queue_wait: 0 });
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeJson('logs', numberedLogs(i * 10, 10)) }).then(async (r) => (await r.text(), r.status)),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(n).toBe(40);
  });
});
