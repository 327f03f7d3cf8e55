import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { factory } from '../../processors/memory_limiter/index.js';
import { MemoryLimiterProcessor } from '../../processors/memory_limiter/limiter.js';
import { MemoryMonitor } from '../../processors/memory_limiter/monitor.js';
import { computeLimits } from '../../processors/memory_limiter/limits.js';
import { ConsumerError } from '../../src/component/consumer.js';
import { log, logs, make, metricValue, parseConfig, settings, Sink } from './helpers.js';
import type { LogsData } from '../../src/pdata/types.js';

const MiB = 1024 * 1024;

describe('memory_limiter limits', () => {
  it('derives soft/hard limits like the Collector', () => {
    const cfg = parseConfig(factory, { limit_mib: 500 });
    expect(computeLimits(cfg)).toEqual({ hard: 500 * MiB, soft: 400 * MiB });
    expect(computeLimits(parseConfig(factory, { limit_mib: 500, spike_limit_mib: 100 }))).toEqual({ hard: 500 * MiB, soft: 400 * MiB });
    expect(computeLimits(parseConfig(factory, { limit_percentage: 50, spike_limit_percentage: 10 }), 1000 * MiB)).toEqual({ hard: 500 * MiB, soft: 400 * MiB });
    expect(parseConfig(factory, { limit_mib: 100 }).check_interval).toBe(1000);
  });

  it('rejects configs without a limit or with spike >= limit', () => {
    expect(() => parseConfig(factory, {})).toThrow(/limit_mib or limit_percentage/);
    expect(() => parseConfig(factory, { limit_mib: 100, spike_limit_mib: 100 })).toThrow(/must be below limit_mib/);
    expect(() => parseConfig(factory, { limit_percentage: 50, spike_limit_percentage: 60 })).toThrow(/must be below/);
  });
});

describe('memory_limiter behaviour', () => {
  function setup(samples: number[], gc?: () => void) {
    const cfg = parseConfig(factory, { limit_mib: 100, spike_limit_mib: 20, check_interval: '1s', min_gc_interval_when_soft_limited: '0s' });
    let i = 0;
    let current = samples[0]!;
    const mon = new MemoryMonitor(cfg, pino({ level: 'silent' }), () => ({ rss: current * MiB, heapUsed: 1 }), gc);
    const set = settings('memory_limiter');
    const sink = new Sink<LogsData>();
    const p = new MemoryLimiterProcessor(set, cfg, 'logs', sink, mon);
    const step = () => {
      current = samples[Math.min(++i, samples.length - 1)]!;
    };
    return { p, sink, mon, set, step, setCurrent: (v: number) => (current = v) };
  }

  it('passes below the soft limit, refuses retryably above it, and resumes', async () => {
    const { p, sink, mon, set, setCurrent } = setup([50]);
    mon.check();
    await p.consume(logs([log('a')]));
    setCurrent(85); // soft = 80
    mon.check();
    const err = await p.consume(logs([log('b'), log('c')])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsumerError);
    expect((err as ConsumerError).kind).toBe('retryable');
    expect((err as ConsumerError).message).toMatch(/in use 85 MiB is above the soft limit 80 MiB/);
    expect(metricValue(set, 'telemd_processor_refused_items_total', { signal: 'logs' })).toBe(2);
    setCurrent(60);
    mon.check();
    await p.consume(logs([log('d')]));
    expect(sink.batches).toHaveLength(2);
  });

  it('forces GC above the hard limit and uses the measurement after it', async () => {
    let gcs = 0;
    const { mon, setCurrent } = setup([50], () => {
      gcs++;
      setCurrent(70); // the collection freed memory
    });
    setCurrent(120);
    mon.check();
    expect(gcs).toBe(1);
    expect(mon.refusing).toBe(false);
    expect(mon.last.rss).toBe(70 * MiB);
  });

  it('does not count free V8 heap space: a high RSS left after a spike does not keep refusing', async () => {
    const cfg = parseConfig(factory, { limit_mib: 200, spike_limit_mib: 40 });
    let sample = { rss: 180 * MiB, heapUsed: 170 * MiB, heapTotal: 175 * MiB };
    const mon = new MemoryMonitor(cfg, pino({ level: 'silent' }), () => sample);
    mon.check();
    expect(mon.refusing).toBe(true);
    // The data was delivered and collected; V8 still holds the pages.
    sample = { rss: 180 * MiB, heapUsed: 30 * MiB, heapTotal: 175 * MiB };
    mon.check();
    expect(mon.refusing).toBe(false);
  });

  it('does not count freed Buffer memory that malloc keeps in RSS', async () => {
    const cfg = parseConfig(factory, { limit_mib: 200, spike_limit_mib: 40 });
    // At start: 40 MiB of runtime beyond heap and Buffers.
    let sample = { rss: 60 * MiB, heapUsed: 10 * MiB, heapTotal: 15 * MiB, external: 5 * MiB };
    const mon = new MemoryMonitor(cfg, pino({ level: 'silent' }), () => sample);
    mon.check();
    expect(mon.refusing).toBe(false);
    sample = { rss: 190 * MiB, heapUsed: 20 * MiB, heapTotal: 25 * MiB, external: 120 * MiB };
    mon.check();
    expect(mon.refusing).toBe(true); // 20 + 120 + 40 = 180 >= 160
    sample = { rss: 190 * MiB, heapUsed: 20 * MiB, heapTotal: 25 * MiB, external: 5 * MiB };
    mon.check();
    expect(mon.refusing).toBe(false); // 65 MiB in use although RSS is still 190
    sample = { rss: 211 * MiB, heapUsed: 20 * MiB, heapTotal: 25 * MiB, external: 5 * MiB };
    mon.check();
    expect(mon.refusing).toBe(true); // RSS backstop: above 200 + 40/4
  });

  it('measures the real process: a tiny limit refuses, a large one passes', async () => {
    const small = await make(factory, { limit_mib: 2, spike_limit_mib: 1 }, 'logs', 'memory_limiter/small');
    await expect(small.p.consume(logs([log('x')]))).rejects.toMatchObject({ kind: 'retryable' });
    await small.p.shutdown();
    const big = await make(factory, { limit_mib: 1_000_000 }, 'logs', 'memory_limiter/big');
    await big.p.consume(logs([log('x')]));
    expect(big.sink.batches).toHaveLength(1);
    expect(metricValue(big.set, 'telemd_memory_limiter_rss_bytes')).toBeGreaterThan(10 * MiB);
    await big.p.shutdown();
  });
});

describe('gcFunction', () => {
  it('can force a collection without --expose-gc', async () => {
    const { gcFunction } = await import('../../src/util/gc.js');
    const gc = gcFunction();
    expect(typeof gc).toBe('function');
    let junk: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
    const before = process.memoryUsage().heapUsed;
    junk = undefined;
    void junk;
    gc!();
    expect(process.memoryUsage().heapUsed).toBeLessThan(before);
  });
});
