import { describe, expect, it } from 'vitest';
import { ParseContext, type Schema } from '../../src/config/schema.js';
import { factory as receiver } from '../../receivers/otlp/index.js';
import { factory as otlphttp } from '../../exporters/otlphttp/index.js';
import { signalUrl } from '../../exporters/otlphttp/config.js';
import { mustParseEndpoint, parseEndpoint } from '../../src/util/endpoint.js';
import { grpcTarget } from '../../exporters/otlp/client.js';
import { grpcError, httpError, parseRetryAfter } from '../../src/otlp/index.js';

function parse<C>(schema: Schema<C>, raw: unknown): { cfg: C; issues: string[] } {
  const ctx = new ParseContext();
  const cfg = schema.parse(raw, ctx);
  return { cfg, issues: ctx.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
}

describe('otlp config (Collector keys)', () => {
  it('enables a protocol written with no value and leaves out an absent one', () => {
    const { cfg, issues } = parse(receiver.config, { protocols: { grpc: null } });
    expect(issues).toEqual([]);
    expect(cfg.protocols.grpc?.endpoint).toBe('127.0.0.1:4317');
    expect(cfg.protocols.http).toBeUndefined();
    expect(receiver.validate!(parse(receiver.config, { protocols: {} }).cfg)).toEqual(['protocols: enable at least one of grpc, http']);
  });

  it('reports typos and bad endpoints', () => {
    expect(parse(receiver.config, { protocols: { http: { endpoit: 'x' } } }).issues.join()).toMatch(/did you mean "endpoint"/);
    expect(parse(receiver.config, { protocols: { http: { endpoint: 'nohost' } } }).issues.join()).toMatch(/invalid endpoint/);
    expect(parse(otlphttp.config, { endpoint: 'ftp://x' }).issues.join()).toMatch(/not an http/);
    expect(otlphttp.validate!(parse(otlphttp.config, {}).cfg)).toEqual(['endpoint: set endpoint (or traces_endpoint / metrics_endpoint / logs_endpoint)']);
    expect(otlphttp.validate!(parse(otlphttp.config, { logs_endpoint: 'http://x/in' }).cfg)).toEqual([]);
  });

  it('builds per-signal URLs and gRPC targets', () => {
    const { cfg } = parse(otlphttp.config, { endpoint: 'https://otlp.example.com/', logs_endpoint: 'https://logs.example.com/in' });
    expect(signalUrl(cfg, 'traces')).toBe('https://otlp.example.com/v1/traces');
    expect(signalUrl(cfg, 'logs')).toBe('https://logs.example.com/in');
    const tls = parse(otlphttp.config, { endpoint: 'http://x' }).cfg.tls;
    expect(grpcTarget('http://gw:4317', tls)).toEqual({ target: 'gw:4317', insecure: true });
    expect(grpcTarget('gw:4317', tls)).toEqual({ target: 'gw:4317', insecure: false });
    expect(parseEndpoint(':4317')).toEqual({ host: '0.0.0.0', port: 4317 });
    expect(parseEndpoint('[::1]:4318')).toEqual({ host: '::1', port: 4318 });
    // The self-metrics and health endpoints stay local when no host is named.
    expect(parseEndpoint(':8888', '127.0.0.1')).toEqual({ host: '127.0.0.1', port: 8888 });
    expect(parseEndpoint('host:65536')).toBeUndefined();
    expect(() => mustParseEndpoint('8888')).toThrow('invalid address "8888" (expected host:port)');
  });

  it('classifies failures as the OTLP spec says', () => {
    for (const c of [1, 4, 10, 11, 14, 15]) expect(grpcError(c, 'x').kind).toBe('retryable');
    for (const c of [2, 3, 5, 7, 8, 9, 12, 13, 16]) expect(grpcError(c, 'x').kind).toBe('permanent');
    expect(grpcError(8, 'x', 2000)).toMatchObject({ kind: 'retryable', retryAfterMs: 2000 });
    for (const st of [429, 502, 503, 504]) expect(httpError(st, 'x').kind).toBe('retryable');
    for (const st of [400, 401, 403, 404, 413, 500]) expect(httpError(st, 'x').kind).toBe('permanent');
    expect(httpError(503, 'x', '7').retryAfterMs).toBe(7000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
  });
});
