import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { ParseContext } from '../../src/config/schema.js';
import { ConsumerError } from '../../src/component/consumer.js';
import { configSchema } from '../../receivers/otlp/config.js';
import { factory } from '../../receivers/otlp/index.js';
import { SERVICE_PATHS } from '../../receivers/otlp/grpc.js';
import {
  decodeExportResponse, decodeExportResponseJson, decodeStatus, decodeStatusJson, encodeJson, encodeProto,
} from '../../src/otlp/index.js';
import { freePort } from '../helpers/ports.js';
import { host, metricValue, settings, Sink } from './helpers.js';
import { logsFixture, metricsFixture, tracesFixture } from './fixtures.js';
import { observedAll } from '../helpers/observe.js';

function parse(raw: unknown) {
  const ctx = new ParseContext();
  const cfg = configSchema.parse(raw, ctx);
  expect(ctx.issues).toEqual([]);
  return cfg;
}

async function startReceiver(extra: Record<string, unknown> = {}, id = 'otlp') {
  const [g, h] = [await freePort(), await freePort()];
  const set = settings(id, 'receiver');
  const sink = new Sink();
  const cfg = parse({
    protocols: {
      grpc: { endpoint: `127.0.0.1:${g}`, ...(extra.grpc as object) },
      http: { endpoint: `127.0.0.1:${h}`, max_request_body_size: '64KiB', ...(extra.http as object) },
    },
  });
  const r = factory.create(set, cfg, observedAll(set, sink.consumers));
  await r.start(host);
  return { r, sink, set, url: `http://127.0.0.1:${h}`, grpcAddr: `127.0.0.1:${g}` };
}

function unary(addr: string, path: string, body: Uint8Array, md = new grpc.Metadata()) {
  const client = new grpc.Client(addr, grpc.credentials.createInsecure());
  return new Promise<{ err: grpc.ServiceError | null; res?: Buffer }>((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), md, (err, res) => {
      client.close();
      resolve({ err, res });
    });
  });
}

describe('otlp receiver', () => {
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterAll(async () => {
    await rx.r.shutdown();
  });

  it('accepts protobuf, JSON and gzip bodies on all three paths and acknowledges after delivery', async () => {
    const cases = [['metrics', metricsFixture(1)], ['logs', logsFixture(1)], ['traces', tracesFixture(1)]] as const;
    for (const [sig, data] of cases) {
      const before = rx.sink.got[sig].length;
      let res = await fetch(`${rx.url}/v1/${sig}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: encodeProto(sig, data) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-protobuf');
      expect(decodeExportResponse(new Uint8Array(await res.arrayBuffer()))).toBeUndefined();
      res = await fetch(`${rx.url}/v1/${sig}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeJson(sig, data) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.text()).toBe('{}');
      res = await fetch(`${rx.url}/v1/${sig}`, {
        method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body: gzipSync(encodeProto(sig, data)),
      });
      expect(res.status).toBe(200);
      const got = rx.sink.got[sig].slice(before);
      expect(got).toHaveLength(3);
      for (const g of got) expect(g).toEqual(data);
    }
    expect(metricValue(rx.set.registry, 'telemd_receiver_accepted_items_total', { signal: 'traces' })).toBe(9);
  });

  it('answers 400 with a google.rpc.Status in the request content type for malformed bodies', async () => {
    let res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Uint8Array.from([0x0a, 0x05, 1]) });
    expect(res.status).toBe(400);
    const st = decodeStatus(new Uint8Array(await res.arrayBuffer()));
    expect(st.code).toBe(3);
    expect(st.message).toMatch(/invalid protobuf/);
    res = await fetch(`${rx.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceLogs":5}' });
    expect(res.status).toBe(400);
    expect(decodeStatusJson(await res.text()).message).toMatch(/resourceLogs/);
    res = await fetch(`${rx.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip' });
    expect(res.status).toBe(400);
    expect(metricValue(rx.set.registry, 'telemd_receiver_refused_requests_total', { reason: 'malformed' })).toBeGreaterThanOrEqual(3);
  });

  it('answers 415, 405, 404 and 413', async () => {
    let res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(415);
    res = await fetch(`${rx.url}/v1/traces`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    res = await fetch(`${rx.url}/v2/nothing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
    const big = encodeProto('traces', tracesFixture(1, 200));
    expect(big.length).toBeGreaterThan(64 * 1024);
    res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: big });
    expect(res.status).toBe(413);
    // A gzip bomb is refused on its decompressed size.
    res = await fetch(`${rx.url}/v1/traces`, {
      method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(1 << 20)),
    });
    expect(res.status).toBe(413);
  });

  it('answers 503 + Retry-After / UNAVAILABLE + RetryInfo when the pipeline refuses retryably', async () => {
    rx.sink.refuse = ConsumerError.retryable('queue is full', { retryAfterMs: 1500 });
    try {
      const res = await fetch(`${rx.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: encodeProto('logs', logsFixture(1)) });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      const st = decodeStatus(new Uint8Array(await res.arrayBuffer()));
      expect(st).toMatchObject({ code: 14, message: 'queue is full', retryDelayMs: 1500 });
      const { err } = await unary(rx.grpcAddr, SERVICE_PATHS.logs, encodeProto('logs', logsFixture(1)));
      expect(err?.code).toBe(grpc.status.UNAVAILABLE);
      const details = err!.metadata.get('grpc-status-details-bin')[0] as Buffer;
      expect(decodeStatus(details).retryDelayMs).toBe(1500);
    } finally {
      rx.sink.refuse = undefined;
    }
    expect(metricValue(rx.set.registry, 'telemd_receiver_refused_items_total', { signal: 'logs' })).toBe(16);
  });

  it('reports partial success when the pipeline refuses some items permanently', async () => {
    rx.sink.refuse = ConsumerError.permanent('2 spans had no name', { rejectedItems: 2 });
    try {
      let res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeJson('traces', tracesFixture(1, 5)) });
      expect(res.status).toBe(200);
      expect(decodeExportResponseJson('traces', await res.text())).toEqual({ rejected: 2, errorMessage: '2 spans had no name' });
      const { err, res: body } = await unary(rx.grpcAddr, SERVICE_PATHS.traces, encodeProto('traces', tracesFixture(1, 5)));
      expect(err).toBeNull();
      expect(decodeExportResponse(body!)).toEqual({ rejected: 2, errorMessage: '2 spans had no name' });
      rx.sink.refuse = ConsumerError.permanent('all bad');
      res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeJson('traces', tracesFixture(1, 5)) });
      expect(res.status).toBe(400);
    } finally {
      rx.sink.refuse = undefined;
    }
  });

  it('serves the three gRPC Export services', async () => {
    for (const [sig, data] of [['metrics', metricsFixture(1)], ['logs', logsFixture(1)], ['traces', tracesFixture(1)]] as const) {
      const before = rx.sink.got[sig].length;
      const { err, res } = await unary(rx.grpcAddr, SERVICE_PATHS[sig], encodeProto(sig, data));
      expect(err).toBeNull();
      expect(res!.length).toBe(0);
      expect(rx.sink.got[sig][before]).toEqual(data);
    }
    const { err } = await unary(rx.grpcAddr, SERVICE_PATHS.traces, Uint8Array.from([0xff]));
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe('otlp receiver auth', () => {
  it('requires the bearer token on both protocols when configured', async () => {
    const auth = { bearer_token: 's3cret-token' };
    const rx = await startReceiver({ grpc: { auth }, http: { auth } }, 'otlp/auth');
    try {
      const body = encodeProto('traces', tracesFixture(1, 1));
      let res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
      expect(res.status).toBe(401);
      res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: 'Bearer wrong-token!' }, body });
      expect(res.status).toBe(401);
      res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: 'Bearer s3cret-token' }, body });
      expect(res.status).toBe(200);
      const bad = await unary(rx.grpcAddr, SERVICE_PATHS.traces, body);
      expect(bad.err?.code).toBe(grpc.status.UNAUTHENTICATED);
      const md = new grpc.Metadata();
      md.set('authorization', 'Bearer s3cret-token');
      const good = await unary(rx.grpcAddr, SERVICE_PATHS.traces, body, md);
      expect(good.err).toBeNull();
      expect(rx.set.logLines.join('')).not.toContain('s3cret-token');
    } finally {
      await rx.r.shutdown();
    }
  });
});

describe('otlp receiver with clients that go away', () => {
  it('counts a body aborted mid-way and keeps serving', async () => {
    const { request } = await import('node:http');
    const rx = await startReceiver({}, 'otlp/abort');
    try {
      const port = Number(new URL(rx.url).port);
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': '1000' } });
        req.on('error', () => resolve());
        req.write(Buffer.alloc(10));
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 100);
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(metricValue(rx.set.registry, 'telemd_receiver_refused_requests_total', { reason: 'aborted' })).toBe(1);
      const res = await fetch(`${rx.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: encodeProto('logs', logsFixture(1)) });
      expect(res.status).toBe(200);
      expect(rx.set.logLines.join('')).not.toMatch(/handler failed/);
    } finally {
      await rx.r.shutdown();
    }
  });
});
