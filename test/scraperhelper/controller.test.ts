import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ScrapeController } from '../../src/scraperhelper/index.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import type { Metric, MetricsData } from '../../src/pdata/types.js';

function gauge(n: number): MetricsData {
  const dataPoints = Array.from({ length: n }, (_, i) => ({ attributes: { i: String(i) }, startTimeUnixNano: 0n, timeUnixNano: 1n, value: i }));
  const metric: Metric = { name: 'g', description: '', unit: '', type: 'gauge', dataPoints };
  return { resourceMetrics: [{ resource: { attributes: {} }, scopeMetrics: [{ scope: { name: 't' }, metrics: [metric] }] }] };
}

function value(reg: MetricRegistry, re: RegExp): number {
  const m = re.exec(reg.renderPrometheus());
  return m ? Number(m[1]) : 0;
}

function setup(scrape: () => MetricsData | Promise<MetricsData>, consume: (d: MetricsData) => Promise<void>) {
  const registry = new MetricRegistry();
  const c = new ScrapeController({
    name: 'test', logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(registry, { receiver: 'test' }),
    next: { consume }, collectionInterval: 3_600_000, initialDelay: 3_600_000, scrape,
  });
  return { c, registry };
}

describe('ScrapeController', () => {
  it('bounds unacknowledged batches and counts skipped scrapes with the last size as refused', async () => {
    const pending: (() => void)[] = [];
    const { c, registry } = setup(() => gauge(3), () => new Promise<void>((res) => pending.push(res)));
    c.maxInFlight = 2;
    for (let i = 0; i < 5; i++) c.tick();
    expect(pending.length).toBe(2);
    expect(value(registry, /telemd_receiver_skipped_scrapes_total\{[^}]*\} (\d+)/)).toBe(3);
    expect(value(registry, /telemd_receiver_refused_items_total\{[^}]*reason="skipped"[^}]*\} (\d+)/)).toBe(9);
    pending.shift()!();
    await new Promise((res) => setImmediate(res));
    c.tick();
    expect(pending.length).toBe(2);
    let done = false;
    const stopped = c.shutdown().then(() => (done = true));
    await new Promise((res) => setImmediate(res));
    expect(done).toBe(false); // shutdown waits for every batch in flight
    for (const res of pending.splice(0)) res();
    await stopped;
    c.tick(); // no scrape after shutdown
    expect(pending.length).toBe(0);
  });

  it('skips while an async scrape runs, survives a throwing scrape and a refusing pipeline', async () => {
    let release!: () => void;
    let mode: 'slow' | 'throw' | 'reject' = 'slow';
    const sent: MetricsData[] = [];
    const { c, registry } = setup(
      () => {
        if (mode === 'throw') throw new Error('boom');
        if (mode === 'reject') return Promise.reject(new Error('async boom'));
        return new Promise<MetricsData>((res) => (release = () => res(gauge(2))));
      },
      (d) => (sent.push(d), Promise.reject(new Error('queue full'))),
    );
    c.tick();
    c.tick(); // the first scrape has not finished
    expect(value(registry, /telemd_receiver_skipped_scrapes_total\{[^}]*\} (\d+)/)).toBe(1);
    release();
    await new Promise((res) => setImmediate(res));
    expect(sent.length).toBe(1);
    mode = 'throw';
    c.tick();
    mode = 'reject';
    c.tick();
    await c.shutdown();
    expect(value(registry, /telemd_receiver_skipped_scrapes_total\{[^}]*\} (\d+)/)).toBe(1);
  });
});
