// Requests in flight are bounded per receiver, and a client that gave up (timeout, disconnect)
// does not leave a growing pile of batches behind it (review finding: abandoned OTLP requests).
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { ParseContext } from '../../src/config/schema.js';
import type { Receiver } from '../../src/component/component.js';
import { consumerOf, type Consumer, type SignalConsumers } from '../../src/component/consumer.js';
import { createQueuedSender } from '../../src/exporterhelper/index.js';
import { decodeStatus, encodeProto } from '../../src/otlp/index.js';
import type { LogsData } from '../../src/pdata/types.js';
import { factory } from '../../receivers/otlp/index.js';
import { SERVICE_PATHS } from '../../receivers/otlp/grpc.js';
import { freePort } from '../helpers/ports.js';
import { observedAll } from '../helpers/observe.js';
import { hostWith, logs, queueCfg, retryCfg } from '../exporterhelper/fixtures.js';
import { host, metricValue, settings } from './helpers.js';
import { tracesFixture } from './fixtures.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function startReceiver(consumers: SignalConsumers, extra: Record<string, unknown> = {}) {
  const [g, h] = [await freePort(), await freePort()];
  const set = settings('otlp', 'receiver');
  const ctx = new ParseContext();
  const cfg = factory.config.parse(
    { protocols: { grpc: { endpoint: `127.0.0.1:${g}` }, http: { endpoint: `127.0.0.1:${h}` } }, ...extra },
    ctx,
  );
  expect(ctx.issues).toEqual([]);
  const r = factory.create(set, cfg, observedAll(set, consumers)) as Receiver;
  await r.start(host);
  cleanups.push(() => r.shutdown());
  return { set, url: `http://127.0.0.1:${h}/v1/logs`, grpcAddr: `127.0.0.1:${g}` };
}

/** A logs consumer that holds every batch until released. */
function held() {
  const waiting: (() => void)[] = [];
  let got = 0;
  const c: Consumer<LogsData> = {
    consume: () =>
      new Promise<void>((r) => {
        got++;
        waiting.push(r);
      }),
  };
  return { c, got: () => got, release: () => waiting.splice(0).forEach((r) => r()) };
}

const post = (url: string, body: Uint8Array, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' }, signal });

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function grpcExport(addr: string, body: Uint8Array, deadlineMs: number, path = SERVICE_PATHS.logs) {
  const client = new grpc.Client(addr, grpc.credentials.createInsecure());
  return new Promise<{ err: grpc.ServiceError | null }>((resolve) => {
    client.makeUnaryRequest(
      path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (err) => {
        client.close();
        resolve({ err });
      },
    );
  });
}

describe('otlp receiver backpressure', () => {
  it('max_concurrent_requests defaults to 256 and must be positive', () => {
    const ctx = new ParseContext();
    expect(factory.config.parse({ protocols: { http: null } }, ctx).max_concurrent_requests).toBe(256);
    const bad = new ParseContext();
    factory.config.parse({ protocols: { http: null }, max_concurrent_requests: 0 }, bad);
    expect(bad.issues.length).toBeGreaterThan(0);
  });

  it('answers 503 + Retry-After past max_concurrent_requests, and frees the slot once the pipeline settles', async () => {
    const h = held();
    const rx = await startReceiver({ logs: h.c }, { max_concurrent_requests: 2, retry_after: '3s' });
    const body = encodeProto('logs', logs('a', 5));
    const first = [post(rx.url, body), post(rx.url, body)];
    await until(() => h.got() === 2);

    const busy = await post(rx.url, body);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('3');
    const st = decodeStatus(new Uint8Array(await busy.arrayBuffer()));
    expect(st.code).toBe(14);
    expect(st.message).toMatch(/max_concurrent_requests/);
    expect(st.retryDelayMs).toBe(3000);
    expect(metricValue(rx.set.registry, 'telemd_receiver_refused_requests_total', { reason: 'too_many_requests' })).toBe(1);

    h.release();
    for (const r of await Promise.all(first)) expect(r.status).toBe(200);
    const again = post(rx.url, body);
    await until(() => h.got() === 3);
    h.release();
    expect((await again).status).toBe(200);
    expect(metricValue(rx.set.registry, 'telemd_receiver_accepted_items_total', { signal: 'logs' })).toBe(15);
  });

  it('reproducer: timed-out HTTP retries against a down backend do not pile up batches or duplicates', async () => {
    let down = true;
    let delivered = 0;
    const sender = createQueuedSender({
      set: { ...settings('otlphttp/backend', 'exporter') }, signal: 'logs',
      queue: queueCfg({ queue_size: 2, num_consumers: 1 }),
      retry: retryCfg({ initial_interval: '50ms', max_interval: '100ms', max_elapsed_time: '0' }), timeoutMs: 1000,
      push: async () => {
        if (down) throw new Error('backend down');
        delivered++;
      },
    });
    await sender.start(hostWith());
    cleanups.push(() => sender.shutdown(100));
    let holding = 0;
    const consumer: Consumer<LogsData> = {
      consume: async (d) => {
        holding++;
        try {
          await sender.consumer.consume(d);
        } finally {
          holding--;
        }
      },
    };
    const rx = await startReceiver({ logs: consumer });
    const body = encodeProto('logs', logs('x', 200));

    // One client with a short timeout that retries, 40 times, as an OTLP SDK does under an outage.
    const statuses: (number | 'timeout')[] = [];
    for (let i = 0; i < 40; i++) {
      try {
        const r = await post(rx.url, body, AbortSignal.timeout(100));
        statuses.push(r.status);
        if (r.status === 503) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      } catch {
        statuses.push('timeout');
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    // The bound the review asked for: queue_size 2 + 1 batch in the worker. Before the fix: 40.
    expect(holding).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s === 'timeout').length).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(37);
    expect(metricValue(rx.set.registry, 'telemd_receiver_abandoned_items_total', { transport: 'http', signal: 'logs' })).toBeGreaterThanOrEqual(200);
    expect(metricValue(rx.set.registry, 'telemd_receiver_refused_requests_total', { reason: 'stalled' })).toBeGreaterThanOrEqual(37);

    // Backend back: the abandoned batch is delivered once, the receiver takes new data again.
    down = false;
    await until(() => holding === 0);
    const ok = await post(rx.url, body);
    expect(ok.status).toBe(200);
    expect(delivered).toBeLessThanOrEqual(4); // <= 3 abandoned copies + this one (before the fix: 41)
    expect(delivered).toBeGreaterThanOrEqual(2);
  });

  it('a gRPC call cancelled by its deadline is counted as abandoned; the next call of that signal gets UNAVAILABLE until the pipeline settles', async () => {
    const h = held();
    const rx = await startReceiver({ logs: h.c, traces: consumerOf(() => {}) });
    const body = encodeProto('logs', logs('g', 7));
    const timedOut = await grpcExport(rx.grpcAddr, body, 200);
    expect(timedOut.err?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await until(() => metricValue(rx.set.registry, 'telemd_receiver_abandoned_items_total', { transport: 'grpc', signal: 'logs' }) === 7);

    const refused = await grpcExport(rx.grpcAddr, body, 2000);
    expect(refused.err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused.err?.details).toMatch(/logs pipeline .* gave up/);
    expect(h.got()).toBe(1);
    // Another signal's pipeline is not stalled: it keeps flowing.
    const traces = await grpcExport(rx.grpcAddr, encodeProto('traces', tracesFixture(1)), 2000, SERVICE_PATHS.traces);
    expect(traces.err).toBeNull();

    h.release();
    await until(() => metricValue(rx.set.registry, 'telemd_receiver_accepted_items_total', { signal: 'logs' }) === 7);
    const next = grpcExport(rx.grpcAddr, body, 2000);
    await until(() => h.got() === 2);
    h.release();
    expect((await next).err).toBeNull();
  });
});
