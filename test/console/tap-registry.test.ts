// The tap registry: copies (the pipeline keeps its own batch), a bounded buffer that drops the
// newest when the reader is slow, a rate limit that skips, taps that see points made later.
import { describe, expect, it } from 'vitest';
import type { MetricsData } from '../../src/pdata/types.js';
import { TapRegistry } from '../../src/service/tap.js';

const batch = (v: number): MetricsData => ({
  resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ scope: { name: 's' }, metrics: [{ name: 'm', type: 'gauge', dataPoints: [{ attributes: [], startTimeUnixNano: 0n, timeUnixNano: 1n, value: v }] }] }] }],
} as unknown as MetricsData);

const pipelines = () => [
  { id: 'metrics', signal: 'metrics' as const, receivers: ['r'], processors: ['p'], exporters: ['e'] },
  { id: 'metrics/raw', signal: 'metrics' as const, receivers: ['r'], processors: [], exporters: ['e'] },
];

describe('tap registry', () => {
  it('costs nothing untapped, copies when tapped, drops the newest when full and skips over the rate', () => {
    const reg = new TapRegistry(pipelines, () => true);
    const point = reg.point('receiver', 'r', 'out', 'metrics');
    expect(point.taps).toHaveLength(0);
    const tap = reg.attach({ kind: 'receiver', id: 'r', direction: 'out' }, { capacity: 2, maxBatchesPerSecond: 3 });
    expect(point.taps).toHaveLength(1);
    const b = batch(1);
    point.offer(b);
    (b.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]! as unknown as { name: string }).name = 'changed downstream';
    point.offer(batch(2));
    point.offer(batch(3)); // buffer full: dropped (the newest)
    point.offer(batch(4)); // no tokens left: skipped
    const evs = tap.take();
    expect(evs.map((e) => (e.data as MetricsData).resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.name)).toEqual(['m', 'm']);
    expect(evs.map((e) => e.items)).toEqual([1, 1]);
    expect(tap.dropped).toBe(1);
    expect(tap.skipped).toBe(1);
    tap.close();
    expect(point.taps).toHaveLength(0);
    expect(reg.list()).toEqual([]);
  });

  it("reads an exporter's input where each of its pipelines ends, including points made after attaching", () => {
    const reg = new TapRegistry(pipelines, () => true);
    const recv = reg.point('receiver', 'r', 'out', 'metrics');
    const tap = reg.attach({ kind: 'exporter', id: 'e', direction: 'in' });
    // metrics/raw has no processors: the receiver's output reaches e directly.
    expect(recv.taps).toEqual([tap]);
    const last = reg.point('processor', 'p', 'out', 'metrics', 'metrics');
    const first = reg.point('processor', 'p', 'in', 'metrics', 'metrics');
    expect(last.taps).toEqual([tap]);
    expect(first.taps).toEqual([]);
  });

  it('refuses directions a kind lacks, and components that do not run', () => {
    const reg = new TapRegistry(pipelines, (_k, id) => id !== 'gone');
    expect(() => reg.attach({ kind: 'receiver', id: 'r', direction: 'in' })).toThrow('a receiver has only out, not in');
    expect(() => reg.attach({ kind: 'exporter', id: 'gone', direction: 'in' })).toThrow('no running exporter gone');
  });

  it('wakes a waiting reader, and close ends the wait', async () => {
    const reg = new TapRegistry(pipelines, () => true);
    const point = reg.point('receiver', 'r', 'out', 'metrics');
    const tap = reg.attach({ kind: 'receiver', id: 'r', direction: 'out' });
    const w = tap.wait();
    point.offer(batch(1));
    await w;
    expect(tap.take()).toHaveLength(1);
    const w2 = tap.wait();
    tap.close();
    await w2;
    expect(tap.closed).toBe(true);
  });
});
