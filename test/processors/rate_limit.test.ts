import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/rate_limit/index.js';
import { KeyedBuckets } from '../../processors/rate_limit/bucket.js';
import { allLogs, log, logs, make, metricValue } from './helpers.js';

describe('token buckets', () => {
  it('allows burst, then rate per second, per key', () => {
    let t = 0;
    const b = new KeyedBuckets(10, 5, 100, () => t);
    const take = (k: string, n: number) => Array.from({ length: n }, () => b.take(k)).filter(Boolean).length;
    expect(take('a', 20)).toBe(5);
    expect(take('b', 20)).toBe(5);
    t = 500; // half a second: 5 more tokens for each key
    expect(take('a', 20)).toBe(5);
    t = 10_000; // refills only up to burst
    expect(take('a', 20)).toBe(5);
  });

  it('caps tracked keys: extra keys share the overflow bucket, idle ones are forgotten', () => {
    let t = 0;
    const b = new KeyedBuckets(1, 1, 2, () => t);
    expect(b.take('a')).toBe(true);
    expect(b.take('b')).toBe(true);
    expect(b.take('c')).toBe(true); // overflow bucket's first token
    expect(b.take('d')).toBe(false); // shares the overflow bucket
    t = 5000; // all full again -> evicted on demand
    expect(b.take('e')).toBe(true);
    expect(b.size).toBeLessThanOrEqual(2);
  });
});

describe('rate_limit processor', () => {
  it('limits records per key (record attribute, resource attribute, severity) and counts drops', async () => {
    const { p, sink, set } = await make(factory, { rate: 3, keys: ['log.file.path', 'severity_text'] }, 'logs');
    const storm = Array.from({ length: 50 }, (_, i) => log(`storm ${i}`, { 'log.file.path': '/var/log/a.log' }));
    const quiet = [log('quiet 1', { 'log.file.path': '/var/log/b.log' }), log('quiet 2', { 'log.file.path': '/var/log/b.log' })];
    const errors = Array.from({ length: 5 }, (_, i) => log(`err ${i}`, { 'log.file.path': '/var/log/a.log' }, { severityText: 'ERROR' }));
    await p.consume(logs([...storm, ...quiet, ...errors]));
    const bodies = allLogs(sink.batches).map((l) => l.body);
    expect(bodies.filter((b) => String(b).startsWith('storm'))).toHaveLength(3);
    expect(bodies.filter((b) => String(b).startsWith('quiet'))).toHaveLength(2);
    expect(bodies.filter((b) => String(b).startsWith('err'))).toHaveLength(3);
    expect(metricValue(set, 'telemd_processor_dropped_items_total', { signal: 'logs' })).toBe(47 + 2);
    // Resource attributes form keys too.
    const r = await make(factory, { rate: 1, keys: ['service.name'] }, 'logs');
    await r.p.consume(logs([log('a'), log('b')], { 'service.name': 'x' }));
    await r.p.consume(logs([log('c')], { 'service.name': 'y' }));
    expect(allLogs(r.sink.batches).map((l) => l.body)).toEqual(['a', 'c']);
  });

  it('refills over real time', async () => {
    const { p, sink } = await make(factory, { rate: 20, burst: 1 }, 'logs');
    await p.consume(logs([log('1'), log('2')]));
    await new Promise((r) => setTimeout(r, 120));
    await p.consume(logs([log('3'), log('4')]));
    expect(allLogs(sink.batches).map((l) => l.body)).toEqual(['1', '3']);
  });
});
