import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { isPermanent, type SignalConsumers } from '../../src/component/consumer.js';
import type { Exporter } from '../../src/component/component.js';
import type { Signal } from '../../src/pdata/types.js';
import { factory as grpcExporter } from '../../exporters/otlp/index.js';
import { factory as httpExporter } from '../../exporters/otlphttp/index.js';
import { factory as receiver } from '../../receivers/otlp/index.js';
import { encodeExportResponse, encodeExportResponseJson, encodeJson, encodeStatus } from '../../src/otlp/index.js';
import { freePort } from '../helpers/ports.js';
import { host, metricValue, settings, Sink, parseConfig } from './helpers.js';
import { logsFixture, metricsFixture, tracesFixture } from './fixtures.js';
import { canonical, officialDecode } from './official-schema.js';
import { makeCerts } from './certs.js';

const fast = { sending_queue: { enabled: false }, retry_on_failure: { initial_interval: '20ms', max_interval: '50ms', max_elapsed_time: '3s' } };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(e: Exporter): Promise<Exporter> {
  await e.start(host);
  cleanups.push(() => e.shutdown());
  return e;
}

interface Captured { path: string; headers: IncomingMessage['headers']; body: Buffer }

/** An HTTP backend answering from a script; records what it got. */
async function httpBackend(answer: (n: number, req: Captured, res: ServerResponse) => void) {
  const got: Captured[] = [];
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const c = { path: req.url ?? '', headers: req.headers, body };
      got.push(c);
      answer(got.length, c, res);
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }));
  return { url: `http://127.0.0.1:${port}`, got };
}

/** A gRPC backend with raw-bytes Export methods answering from a script. */
async function grpcBackend(answer: (n: number, body: Buffer, md: grpc.Metadata) => grpc.ServiceError | Buffer) {
  const got: { path: string; body: Buffer; md: grpc.Metadata }[] = [];
  const srv = new grpc.Server();
  const id = (b: Buffer) => b;
  for (const [sig, svc] of [['traces', 'trace.v1.TraceService'], ['metrics', 'metrics.v1.MetricsService'], ['logs', 'logs.v1.LogsService']]) {
    const path = `/opentelemetry.proto.collector.${svc}/Export`;
    srv.addService(
      { Export: { path, requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } } as unknown as grpc.ServiceDefinition,
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          got.push({ path: sig!, body: call.request, md: call.metadata });
          const a = answer(got.length, call.request, call.metadata);
          if (a instanceof Buffer) cb(null, a);
          else cb(a as grpc.ServiceError);
        },
      },
    );
  }
  const port = await new Promise<number>((res, rej) => srv.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  cleanups.push(() => void srv.forceShutdown());
  return { endpoint: `127.0.0.1:${port}`, got };
}

function grpcErr(code: grpc.status, msg: string, retryDelayMs?: number): grpc.ServiceError {
  const md = new grpc.Metadata();
  if (retryDelayMs !== undefined) md.set('grpc-status-details-bin', Buffer.from(encodeStatus({ code, message: msg, retryDelayMs })));
  return Object.assign(new Error(msg), { code, details: msg, metadata: md });
}

const fixtures = { metrics: () => metricsFixture(1), logs: () => logsFixture(1), traces: () => tracesFixture(1) } as const;
const SIGNALS: Signal[] = ['metrics', 'logs', 'traces'];

// Fields the 0.57 schema predates (see proto.test.ts): removed before official comparisons.
function forOfficial(sig: Signal) {
  const d = fixtures[sig]() as ReturnType<typeof fixtures[Signal]>;
  const j = JSON.parse(encodeJson(sig, d));
  const strip = (o: unknown): void => {
    if (Array.isArray(o)) o.forEach(strip);
    else if (o && typeof o === 'object') {
      const r = o as Record<string, unknown>;
      if ('name' in r && ('gauge' in r || 'sum' in r || 'histogram' in r || 'exponentialHistogram' in r || 'summary' in r || 'metadata' in r)) delete r.metadata;
      if ('observedTimeUnixNano' in r) delete r.eventName;
      if ('spanId' in r && ('links' in r || 'kind' in r || 'traceState' in r)) delete r.flags;
      Object.values(r).forEach(strip);
    }
  };
  strip(j);
  return canonical(j);
}

async function consume(e: Exporter, sig: Signal) {
  const c = (e.consumers as SignalConsumers)[sig]!;
  return c.consume(fixtures[sig]() as never);
}

describe('otlphttp exporter', () => {
  it('sends protobuf (gzip) that the official schema decodes field by field, with headers', async () => {
    const be = await httpBackend((_n, _c, res) => { res.setHeader('content-type', 'application/x-protobuf'); res.end(encodeExportResponse()); });
    const set = settings('otlphttp', 'exporter');
    const e = await start(httpExporter.create(set, parseConfig(httpExporter.config, { endpoint: be.url, headers: { authorization: 'Bearer tok-123' }, ...fast }), SIGNALS));
    for (const sig of SIGNALS) await consume(e, sig);
    expect(be.got.map((g) => g.path)).toEqual(['/v1/metrics', '/v1/logs', '/v1/traces']);
    for (const [i, sig] of SIGNALS.entries()) {
      const g = be.got[i]!;
      expect(g.headers['content-type']).toBe('application/x-protobuf');
      expect(g.headers['content-encoding']).toBe('gzip');
      expect(g.headers.authorization).toBe('Bearer tok-123');
      const official = canonical(officialDecode(sig, g.body));
      expect(official).toEqual(forOfficial(sig));
    }
    expect(metricValue(set.registry, 'telemd_exporter_sent_items_total', { signal: 'logs' })).toBe(8);
    expect(set.logLines.join('')).not.toContain('tok-123');
  });

  it('sends OTLP/JSON with encoding: json', async () => {
    const be = await httpBackend((_n, _c, res) => { res.setHeader('content-type', 'application/json'); res.end('{}'); });
    const e = await start(httpExporter.create(settings('otlphttp/j', 'exporter'), parseConfig(httpExporter.config, { endpoint: be.url, encoding: 'json', compression: 'none', ...fast }), SIGNALS));
    // Every signal: logs go through the byte writer, metrics and traces through strings.
    for (const sig of SIGNALS) await consume(e, sig);
    for (const [i, sig] of SIGNALS.entries()) {
      expect(be.got[i]!.headers['content-type']).toBe('application/json');
      expect(JSON.parse(be.got[i]!.body.toString())).toEqual(JSON.parse(encodeJson(sig, fixtures[sig]() as never)));
    }
  });

  it('retries 429/502/503/504 honouring Retry-After, and not 400', async () => {
    const statuses = [503, 429, 502, 504, 200];
    const times: number[] = [];
    const be = await httpBackend((n, _c, res) => {
      times.push(Date.now());
      res.statusCode = statuses[n - 1]!;
      if (n === 1) res.setHeader('retry-after', '1');
      res.end();
    });
    const set = settings('otlphttp/r', 'exporter');
    const e = await start(httpExporter.create(set, parseConfig(httpExporter.config, { endpoint: be.url, ...fast }), ['logs']));
    await consume(e, 'logs');
    expect(be.got).toHaveLength(5);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);

    const bad = await httpBackend((_n, _c, res) => { res.statusCode = 400; res.setHeader('content-type', 'application/json'); res.end('{"code":3,"message":"bad field x"}'); });
    const set2 = settings('otlphttp/p', 'exporter');
    const e2 = await start(httpExporter.create(set2, parseConfig(httpExporter.config, { endpoint: bad.url, ...fast }), ['logs']));
    const err = await consume(e2, 'logs').catch((x: unknown) => x);
    expect(isPermanent(err)).toBe(true);
    expect(String(err)).toMatch(/HTTP 400: bad field x/);
    expect(bad.got).toHaveLength(1);
    expect(metricValue(set2.registry, 'telemd_exporter_send_failed_items_total', { signal: 'logs' })).toBe(8);
  });

  it('counts and logs partial success without retrying', async () => {
    const be = await httpBackend((_n, _c, res) => { res.setHeader('content-type', 'application/x-protobuf'); res.end(encodeExportResponse({ rejected: 2, errorMessage: 'too old' })); });
    const set = settings('otlphttp/ps', 'exporter');
    const e = await start(httpExporter.create(set, parseConfig(httpExporter.config, { endpoint: be.url, ...fast }), ['traces']));
    await consume(e, 'traces');
    expect(be.got).toHaveLength(1);
    expect(metricValue(set.registry, 'telemd_exporter_partial_rejected_items_total', { signal: 'traces' })).toBe(2);
    expect(set.logLines.join('')).toContain('too old');
    expect(encodeExportResponseJson('traces', { rejected: 2, errorMessage: 'x' })).toContain('"rejectedSpans":"2"');
  });
});

describe('otlp (gRPC) exporter', () => {
  it('sends what the official schema decodes, with metadata headers and gzip', async () => {
    const be = await grpcBackend(() => Buffer.from(encodeExportResponse()));
    const set = settings('otlp', 'exporter');
    const e = await start(grpcExporter.create(set, parseConfig(grpcExporter.config, { endpoint: be.endpoint, tls: { insecure: true }, headers: { 'X-Tenant': 'acme' }, ...fast }), SIGNALS));
    for (const sig of SIGNALS) await consume(e, sig);
    expect(be.got.map((g) => g.path)).toEqual(SIGNALS);
    for (const [i, sig] of SIGNALS.entries()) {
      expect(canonical(officialDecode(sig, be.got[i]!.body))).toEqual(forOfficial(sig));
      expect(be.got[i]!.md.get('x-tenant')).toEqual(['acme']);
    }
  });

  it('retries the retryable codes, RESOURCE_EXHAUSTED only with RetryInfo', async () => {
    const script = [
      grpcErr(grpc.status.UNAVAILABLE, 'down'), grpcErr(grpc.status.CANCELLED, 'c'), grpcErr(grpc.status.DEADLINE_EXCEEDED, 'd'),
      grpcErr(grpc.status.ABORTED, 'a'), grpcErr(grpc.status.OUT_OF_RANGE, 'o'), grpcErr(grpc.status.DATA_LOSS, 'l'),
      grpcErr(grpc.status.RESOURCE_EXHAUSTED, 'slow down', 300), Buffer.alloc(0),
    ];
    const times: number[] = [];
    const be = await grpcBackend((n) => { times.push(Date.now()); return script[n - 1]!; });
    const e = await start(grpcExporter.create(settings('otlp/r', 'exporter'), parseConfig(grpcExporter.config, { endpoint: be.endpoint, tls: { insecure: true }, ...fast }), ['metrics']));
    await consume(e, 'metrics');
    expect(be.got).toHaveLength(8);
    expect(times[7]! - times[6]!).toBeGreaterThanOrEqual(280);

    for (const code of [grpc.status.RESOURCE_EXHAUSTED, grpc.status.INVALID_ARGUMENT, grpc.status.PERMISSION_DENIED, grpc.status.UNAUTHENTICATED]) {
      const b = await grpcBackend(() => grpcErr(code, 'no'));
      const x = await start(grpcExporter.create(settings(`otlp/p${code}`, 'exporter'), parseConfig(grpcExporter.config, { endpoint: b.endpoint, tls: { insecure: true }, ...fast }), ['metrics']));
      const err = await consume(x, 'metrics').catch((y: unknown) => y);
      expect(isPermanent(err)).toBe(true);
      expect(b.got).toHaveLength(1);
    }
  });
});

describe('exporter -> receiver over TLS/mTLS with bearer auth', () => {
  it('delivers over gRPC and HTTP with client certificates and tokens', async () => {
    const certs = makeCerts();
    const [g, h] = [await freePort(), await freePort()];
    const sink = new Sink();
    const tls = { cert_file: certs.serverCert, key_file: certs.serverKey, client_ca_file: certs.ca };
    const auth = { bearer_token: 'chain-token' };
    const rx = receiver.create(settings('otlp/tls', 'receiver'), parseConfig(receiver.config, {
      protocols: { grpc: { endpoint: `127.0.0.1:${g}`, tls, auth }, http: { endpoint: `127.0.0.1:${h}`, tls, auth } },
    }), sink.consumers);
    await rx.start(host);
    cleanups.push(() => rx.shutdown());
    const clientTls = { ca_file: certs.ca, cert_file: certs.clientCert, key_file: certs.clientKey };
    const headers = { authorization: 'Bearer chain-token' };
    const ge = await start(grpcExporter.create(settings('otlp/c', 'exporter'), parseConfig(grpcExporter.config, { endpoint: `localhost:${g}`, tls: clientTls, headers, ...fast }), ['traces']));
    const he = await start(httpExporter.create(settings('otlphttp/c', 'exporter'), parseConfig(httpExporter.config, { endpoint: `https://localhost:${h}`, tls: clientTls, headers, ...fast }), ['traces']));
    await consume(ge, 'traces');
    await consume(he, 'traces');
    expect(sink.got.traces).toEqual([tracesFixture(1), tracesFixture(1)]);

    // Without a client certificate the TLS handshake fails: retryable, so it gives up after max_elapsed_time.
    const noCert = await start(httpExporter.create(settings('otlphttp/n', 'exporter'), parseConfig(httpExporter.config, {
      endpoint: `https://localhost:${h}`, tls: { ca_file: certs.ca }, headers,
      sending_queue: { enabled: false }, retry_on_failure: { enabled: false },
    }), ['traces']));
    await expect(consume(noCert, 'traces')).rejects.toThrow();
    expect(sink.got.traces).toHaveLength(2);
  });
});
