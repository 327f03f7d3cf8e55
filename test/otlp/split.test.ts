import { describe, expect, it } from 'vitest';
import { splitHalf } from '../../src/pdata/split.js';
import { countItems } from '../../src/pdata/index.js';
import type { TracesData } from '../../src/pdata/types.js';
import type { Exporter } from '../../src/component/component.js';
import { factory as grpcExporter } from '../../exporters/otlp/index.js';
import { factory as httpExporter } from '../../exporters/otlphttp/index.js';
import { factory as receiver } from '../../receivers/otlp/index.js';
import { freePort } from '../helpers/ports.js';
import { host, settings, Sink, parseConfig } from './helpers.js';
import { metricsFixture, tracesFixture } from './fixtures.js';

describe('splitting batches that are too large for the backend', () => {
  it('halves by items and keeps resource/scope structure', () => {
    const t = tracesFixture(2, 5);
    const [a, b] = splitHalf('traces', t)!;
    expect(countItems('traces', a)).toBe(5);
    expect(countItems('traces', b)).toBe(5);
    const spans = (d: typeof t) => d.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect([...spans(a), ...spans(b)]).toEqual(spans(t));
    expect(a.resourceSpans[0]!.resource).toEqual(t.resourceSpans[0]!.resource);
    const m = metricsFixture(1);
    const [ma, mb] = splitHalf('metrics', m)!;
    expect(countItems('metrics', ma) + countItems('metrics', mb)).toBe(countItems('metrics', m));
    expect(splitHalf('traces', tracesFixture(1, 1))).toBeUndefined();
  });

  it('otlphttp resends a 413 in halves and otlp resends RESOURCE_EXHAUSTED "larger than max" in halves', async () => {
    const [g, h] = [await freePort(), await freePort()];
    const sink = new Sink();
    const rx = receiver.create(settings('otlp/small', 'receiver'), parseConfig(receiver.config, {
      protocols: { grpc: { endpoint: `127.0.0.1:${g}`, max_recv_msg_size_mib: 1 }, http: { endpoint: `127.0.0.1:${h}`, max_request_body_size: '256KiB' } },
    }), sink.consumers);
    await rx.start(host);
    const retry = { retry_on_failure: { initial_interval: '20ms', max_elapsed_time: '5s' } };
    const direct = { sending_queue: { enabled: false }, ...retry };
    // Batches are encoded on arrival (queued or not): the halves are decoded back from those bytes.
    const queued = { sending_queue: { enabled: true }, ...retry };
    const exporters: Exporter[] = [
      httpExporter.create(settings('otlphttp/s', 'exporter'), parseConfig(httpExporter.config, { endpoint: `http://127.0.0.1:${h}`, compression: 'none', ...direct }), ['traces']),
      httpExporter.create(settings('otlphttp/q', 'exporter'), parseConfig(httpExporter.config, { endpoint: `http://127.0.0.1:${h}`, compression: 'none', ...queued }), ['traces']),
      httpExporter.create(settings('otlphttp/json', 'exporter'), parseConfig(httpExporter.config, { endpoint: `http://127.0.0.1:${h}`, compression: 'none', encoding: 'json', ...queued }), ['traces']),
      grpcExporter.create(settings('otlp/s', 'exporter'), parseConfig(grpcExporter.config, { endpoint: `127.0.0.1:${g}`, tls: { insecure: true }, compression: 'none', ...direct }), ['traces']),
      grpcExporter.create(settings('otlp/q', 'exporter'), parseConfig(grpcExporter.config, { endpoint: `127.0.0.1:${g}`, tls: { insecure: true }, compression: 'none', ...queued }), ['traces']),
    ];
    try {
      for (const e of exporters) {
        await e.start(host);
        const big = tracesFixture(4, 1000); // ~3 MB of protobuf
        await e.consumers.traces!.consume(big);
        const got = sink.got.traces.splice(0);
        expect(got.length).toBeGreaterThan(1);
        expect(got.reduce((n, d) => n + countItems('traces', d), 0)).toBe(4000);
        // Every span arrived once, whole.
        const ids = (ds: TracesData[]) => ds.flatMap((d) => d.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((sc) => sc.spans.map((sp) => `${Buffer.from(sp.spanId).toString('hex')} ${sp.name}`)))).sort();
        expect(ids(got)).toEqual(ids([big]));
      }
    } finally {
      for (const e of exporters) await e.shutdown();
      await rx.shutdown();
    }
  });
});
