import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isStaleNaN, STALE_NAN } from '../../src/promql/queryable.js';
import { ALL, byLabel, points, sample, series, storesClosedAfterEach } from './helpers.js';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000); // an hour boundary
const stores = storesClosedAfterEach();

describe('history store: appending and selecting', () => {
  it('returns what was appended, by matchers, with the Prometheus label set as identity', async () => {
    const db = await stores.open();
    const r = await db.append([
      sample('system_cpu_time_seconds_total', { cpu: 'cpu0', state: 'user' }, T0, 1.5, 'counter'),
      sample('system_cpu_time_seconds_total', { cpu: 'cpu0', state: 'system' }, T0, 0.5, 'counter'),
      sample('system_cpu_time_seconds_total', { cpu: 'cpu1', state: 'user' }, T0, 2.5, 'counter'),
      sample('system_memory_usage_bytes', { state: 'used' }, T0, 1024),
      sample('system_cpu_time_seconds_total', { state: 'user', cpu: 'cpu0' }, T0 + 1000, 1.75, 'counter'),
      // An empty label is no label: the same series as without it.
      sample('system_memory_usage_bytes', { state: 'used', device: '' }, T0 + 1000, 2048),
    ]);
    expect(r).toEqual({ appended: 6, duplicates: 0, refused: {} });
    const sel = (m: Parameters<typeof db.select>[1]) => db.select(ALL, m);
    const cpu = await sel([{ name: '__name__', type: '=', value: 'system_cpu_time_seconds_total' }]);
    expect(cpu.length).toBe(3);
    const user0 = cpu.find((s) => s.labels.cpu === 'cpu0' && s.labels.state === 'user')!;
    expect(points(user0)).toEqual([[T0, 1.5], [T0 + 1000, 1.75]]);
    expect(user0.labels).toEqual({ __name__: 'system_cpu_time_seconds_total', cpu: 'cpu0', state: 'user' });
    expect((await sel([{ name: '__name__', type: '=~', value: 'system_.*' }, { name: 'state', type: '!=', value: 'user' }])).length).toBe(2);
    expect((await sel([{ name: 'cpu', type: '!~', value: 'cpu1|cpu2' }, { name: 'state', type: '=', value: 'user' }])).length).toBe(1);
    // cpu="" matches series without a cpu label, as in Prometheus.
    const noCpu = await sel([{ name: 'cpu', type: '=', value: '' }]);
    expect(noCpu.map((s) => s.labels.__name__)).toEqual(['system_memory_usage_bytes']);
    expect(points(noCpu[0])).toEqual([[T0, 1024], [T0 + 1000, 2048]]);
    expect((await sel([{ name: 'cpu', type: '=~', value: 'cpu.' }])).length).toBe(3);
    expect(await db.labelNames(ALL)).toEqual(['__name__', 'cpu', 'state']);
    expect(await db.labelValues('cpu', ALL)).toEqual(['cpu0', 'cpu1']);
    expect(await db.labelValues('state', ALL, [{ name: 'cpu', type: '=', value: 'cpu1' }])).toEqual(['user']);
    expect(await db.labelNames({ minT: T0 + 5000, maxT: T0 + 9000 })).toEqual([]);
    await expect(sel([{ name: 'x', type: '=~', value: '(' }])).rejects.toThrow();
    // RE2 syntax, as in Prometheus (a JS RegExp would refuse the inline flag).
    expect((await sel([{ name: 'state', type: '=~', value: '(?i)USER' }])).length).toBe(2);
  });

  it('refuses out-of-order and conflicting samples, accepts re-deliveries once, and counts each', async () => {
    const db = await stores.open();
    const s = (t: number, v: number) => sample('m', {}, t, v);
    await db.append([s(T0, 1), s(T0 + 1000, 2), s(T0 + 2000, 3)]);
    const r = await db.append([s(T0 + 1000, 2), s(T0 + 2000, 3), s(T0 + 2000, 4), s(T0 + 500, 9), s(T0 + 3000, 5), { labels: { job: 'x' }, t: T0, v: 1 }, sample('m', {}, 1.5, 1)]);
    expect(r).toEqual({ appended: 1, duplicates: 2, refused: { duplicate_timestamp: 1, out_of_order: 1, invalid: 2 } });
    expect(points((await series(db, 'm'))[0])).toEqual([[T0, 1], [T0 + 1000, 2], [T0 + 2000, 3], [T0 + 3000, 5]]);
    expect(db.stats().refused).toEqual({ out_of_order: 1, too_old: 0, duplicate_timestamp: 1, invalid: 2 });
  });

  it('keeps NaN, ±Inf and staleness markers exactly, through the WAL and through blocks', async () => {
    const dir = await stores.dir();
    let db = await stores.open({ blockDurationMs: 10_000 }, dir);
    const vals = [NaN, Infinity, -Infinity, -0, STALE_NAN, 1e308, -5e-324, 42];
    await db.append(vals.map((v, i) => sample('odd', {}, T0 + i * 1000, v)));
    const check = async () => {
      const got = (await series(db, 'odd'))[0]!;
      expect(got.v.length).toBe(vals.length);
      vals.forEach((v, i) => {
        expect(Object.is(got.v[i], v) || (Number.isNaN(v) && Number.isNaN(got.v[i]))).toBe(true);
        expect(isStaleNaN(got.v[i]!)).toBe(isStaleNaN(v));
      });
    };
    await check();
    await db.close();
    db = await stores.open({ blockDurationMs: 10_000 }, dir); // replayed from the WAL
    expect(db.stats().replay.samples).toBe(vals.length);
    await check();
    await db.flush();
    expect(db.stats().tiers[0]!.blocks).toBe(1);
    await check(); // from the block
  });
});

describe('history store: staleness', () => {
  it('marks a series that stops arriving stale where its next sample was due, once', async () => {
    const db = await stores.open({ staleness: { enabled: true, afterMs: 300_000, minAfterMs: 2000 } });
    const now = Date.now();
    await db.append([sample('up', { i: 'a' }, T0, 1), sample('up', { i: 'b' }, T0, 1)]);
    await db.append([sample('up', { i: 'a' }, T0 + 1000, 1), sample('up', { i: 'b' }, T0 + 1000, 1)]);
    expect(db.markStale(now + 1000)).toBe(0); // not silent long enough (2 intervals, at least 2 s)
    await db.append([sample('up', { i: 'a' }, T0 + 2000, 1)]);
    expect(db.markStale(Date.now() + 2500)).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    const got = await series(db, 'up');
    const b = points(byLabel(got, 'i', 'b'));
    expect(b.length).toBe(3);
    expect(b[2]![0]).toBe(T0 + 2000);
    expect(isStaleNaN(b[2]![1])).toBe(true);
    expect(db.markStale(Date.now() + 60_000)).toBe(0); // already marked
    // A late sample of series a (its marker is at T0 + 3000) replaces the marker.
    const late = await db.append([sample('up', { i: 'a' }, T0 + 2500, 1)]);
    expect(late.appended).toBe(1);
    const a = points(byLabel(await series(db, 'up'), 'i', 'a'));
    expect(a.map(([t]) => t)).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 2500]);
    expect(a.every(([, v]) => v === 1)).toBe(true);
  });
});

describe('history store: blocks, WAL truncation and reopening', () => {
  it('cuts the head into blocks by window, keeps every sample once, and truncates the WAL', async () => {
    const dir = await stores.dir();
    let db = await stores.open({ blockDurationMs: 60_000, walSegmentBytes: 4096 }, dir);
    const want: [number, number][] = [];
    for (let i = 0; i < 600; i++) {
      const t = T0 + i * 1000;
      want.push([t, i * 10]);
      await db.append([sample('c', { k: 'x' }, t, i * 10, 'counter'), sample('g', {}, t, i % 7)]);
    }
    await db.settled();
    let st = db.stats();
    // A window is cut once the head is half a window past it: 9 of the 10 minutes.
    expect(st.tiers[0]!.blocks).toBe(9);
    expect(st.headSamples).toBe(2 * 60);
    expect(points((await series(db, 'c'))[0])).toEqual(want);
    const walFiles = await readdir(join(dir, 'wal'));
    expect(walFiles.length).toBeLessThan(8);
    await db.close();
    db = await stores.open({ blockDurationMs: 60_000, walSegmentBytes: 4096 }, dir);
    st = db.stats();
    expect(st.replay.samples).toBeGreaterThanOrEqual(120);
    expect(st.headSamples).toBe(120); // samples already in blocks are not replayed into the head
    expect(points((await series(db, 'c'))[0])).toEqual(want);
    expect((await db.append([sample('c', { k: 'x' }, T0, 0, 'counter')])).refused).toEqual({ too_old: 1 });
  });

  it('recovers blocks of a window written before a crash without duplicating them', async () => {
    const dir = await stores.dir();
    let db = await stores.open({ blockDurationMs: 60_000 }, dir);
    for (let i = 0; i < 100; i++) await db.append([sample('c', {}, T0 + i * 1000, i)]);
    await db.flush();
    await db.close();
    db = await stores.open({ blockDurationMs: 60_000 }, dir);
    for (let i = 100; i < 130; i++) await db.append([sample('c', {}, T0 + i * 1000, i)]);
    expect(points((await series(db, 'c'))[0]).map(([, v]) => v)).toEqual(Array.from({ length: 130 }, (_, i) => i));
  });
});

describe('history store: roll-up tiers', () => {
  const tiers = [
    { resolutionMs: 0, retentionMs: 3 * 3_600_000 },
    { resolutionMs: 60_000, retentionMs: 30 * 86_400_000 },
    { resolutionMs: 3_600_000, retentionMs: 365 * 86_400_000 },
  ];

  it('roll up min/max/avg/count and a counter that keeps rate right across resets', async () => {
    const db = await stores.open({ tiers, blockDurationMs: 3_600_000 });
    // Two hours at 1 s: a counter +2/s with a reset at 00:30:30; a gauge 0..59 each minute.
    let c = 0;
    for (let i = 0; i < 7200; i += 60) {
      const batch = [];
      for (let j = i; j < i + 60; j++) {
        c = j === 1830 ? 0 : c + 2;
        batch.push(sample('req_total', {}, T0 + j * 1000, c, 'counter'), sample('temp', {}, T0 + j * 1000, j % 60));
      }
      await db.append(batch);
    }
    await db.flush();
    const st = db.stats();
    expect(st.tiers.map((t) => t.blocks)).toEqual([2, 2, 2]);
    expect(st.tiers[1]!.samples).toBe(2 * 120);
    expect(st.tiers[2]!.samples).toBe(2 * 2);
    // A range query at a 10 min step with rate(x[5m]) reads the 1 min tier.
    const hint = { minT: T0, maxT: T0 + 7_200_000, stepMs: 600_000, rangeMs: 300_000 };
    const counter = points((await series(db, 'req_total', { ...hint, func: 'rate' }))[0]);
    expect(counter.length).toBe(120);
    expect(counter[0]).toEqual([T0 + 59_000, 120]);
    // The adjusted counter never drops: the minute of the reset lost only the step to 0 (as
    // PromQL counts a reset: the value after it is the increase).
    const steps = counter.slice(1).map(([, v], i) => v - counter[i]![1]);
    expect(steps).toEqual(steps.map((_, i) => (i + 1 === 30 ? 118 : 120)));
    const last = points((await series(db, 'req_total', { ...hint, func: 'last_over_time' }))[0]);
    expect(last[30]![1]).toBe((1859 - 1830) * 2); // the raw value after the reset
    const avg = points((await series(db, 'temp', { ...hint, func: 'avg_over_time' }))[0]);
    expect(avg.every(([, v]) => v === 29.5)).toBe(true);
    expect(points((await series(db, 'temp', { ...hint, func: 'max_over_time' }))[0]).every(([, v]) => v === 59)).toBe(true);
    expect(points((await series(db, 'temp', { ...hint, func: 'min_over_time' }))[0]).every(([, v]) => v === 0)).toBe(true);
    // count_over_time reads raw samples while the raw tier has them (the engine counts points).
    expect((await series(db, 'temp', { ...hint, func: 'count_over_time' }))[0]!.t.length).toBe(7200);
    // A year-long dashboard (1 d step, 1 d windows) reads the hour tier: one point per hour.
    const year = await series(db, 'req_total', { minT: T0, maxT: T0 + 7_200_000, stepMs: 86_400_000, rangeMs: 86_400_000, func: 'increase' });
    expect(points(year[0])).toEqual([[T0 + 3_599_000, 7198], [T0 + 7_199_000, 14398]]);
    // An instant query, and a fine range query, read raw samples.
    expect((await series(db, 'temp', { minT: T0, maxT: T0 + 7_200_000 }))[0]!.t.length).toBe(7200);
    expect((await series(db, 'temp', { minT: T0, maxT: T0 + 7_200_000, stepMs: 15_000, rangeMs: 60_000, func: 'rate' }))[0]!.t.length).toBe(7200);
  });

  it('reads old times from coarser tiers once raw samples are past retention, and merges day blocks', async () => {
    const short = [
      { resolutionMs: 0, retentionMs: 2 * 3_600_000 },
      { resolutionMs: 60_000, retentionMs: 30 * 86_400_000 },
    ];
    const dir = await stores.dir();
    const db = await stores.open({ tiers: short, blockDurationMs: 3_600_000 }, dir);
    const day0 = T0 - (T0 % 86_400_000);
    for (let i = 0; i < 26 * 60; i += 10) {
      const batch = [];
      for (let j = i; j < i + 10; j++) batch.push(sample('g', {}, day0 + j * 60_000, j));
      await db.append(batch);
    }
    await db.flush();
    const st = db.stats();
    // Retention counts from the newest sample (25:59): raw blocks ending before 23:59 go.
    expect(st.tiers[0]!.blocks).toBe(3);
    expect(st.tiers[0]!.deletedBlocks.retention).toBe(23);
    expect(st.tiers[0]!.deletedSamples.retention).toBe(23 * 60);
    expect(st.tiers[1]!.blocks).toBe(3); // day 0 merged into one block, then two hour blocks
    expect((await readdir(join(dir, '1m'))).filter((n) => n.endsWith('.blk')).length).toBe(3);
    const got = points((await series(db, 'g', { minT: day0, maxT: day0 + 26 * 3_600_000 }))[0]);
    expect(got.length).toBe(26 * 60); // 1-min points for the first 23 h, raw for the last 3 h
    expect(got.map(([, v]) => v)).toEqual(Array.from({ length: 26 * 60 }, (_, j) => j));
  });
});

describe('history store: disk cap', () => {
  it('deletes the oldest blocks first, counts them, and keeps accepting samples', async () => {
    const db = await stores.open({ blockDurationMs: 60_000, maxSizeBytes: 12_000, tiers: [{ resolutionMs: 0, retentionMs: 86_400_000 }] });
    let v = 0;
    for (let i = 0; i < 1800; i++) {
      const batch = [];
      for (let k = 0; k < 8; k++) batch.push(sample('noise', { k: String(k) }, T0 + i * 1000, (v = (v * 1103515245 + 12345) % 2 ** 31)));
      const r = await db.append(batch);
      expect(r.appended).toBe(8);
    }
    await db.flush();
    const st = db.stats();
    const raw = st.tiers[0]!;
    expect(raw.deletedBlocks.size).toBeGreaterThan(5);
    expect(raw.bytes + st.walBytes).toBeLessThanOrEqual(12_000);
    expect(raw.deletedSamples.size).toBe(raw.deletedBlocks.size * 60 * 8);
    // What is left is the newest data, contiguous up to the last sample.
    const got = await series(db, 'noise');
    const t = got[0]!.t;
    expect(t[t.length - 1]).toBe(T0 + 1799_000);
    expect(t[0]).toBe(T0 + raw.deletedBlocks.size * 60_000);
    expect(raw.oldestMs).toBe(t[0]);
  });
});
