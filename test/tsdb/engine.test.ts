// The PromQL engine over the history store gives what it gives over the engine's own in-memory
// Queryable for the same samples (raw tier: head and blocks), and close answers from roll-ups.
import { describe, expect, it } from 'vitest';
import { evalInstant, evalRange, MemoryQueryable, STALE_NAN, type QueryResult } from '../../src/promql/index.js';
import { sample, storesClosedAfterEach } from './helpers.js';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);
const stores = storesClosedAfterEach();

type Matrix = Extract<QueryResult, { resultType: 'matrix' }>;

function key(m: Matrix): Map<string, [number[], number[]]> {
  return new Map(m.result.map((s) => [JSON.stringify(Object.entries(s.labels).sort()), [Array.from(s.t), Array.from(s.v)]]));
}

describe('PromQL engine over the history store', () => {
  it('answers like the in-memory store on raw samples, across blocks and the head', async () => {
    const db = await stores.open({ blockDurationMs: 600_000 });
    const mem = new MemoryQueryable();
    // 40 min at 1 s: counters with a reset, gauges, a histogram, a series that stops (marker).
    let c = 0;
    for (let i = 0; i < 2400; i++) {
      const t = T0 + i * 1000;
      c = i === 1300 ? 3 : c + (i % 7);
      const batch = [
        sample('req_total', { code: '200' }, t, c, 'counter'),
        sample('req_total', { code: '500' }, t, Math.floor(i / 100), 'counter'),
        sample('temp', { room: 'a' }, t, 20 + Math.sin(i / 50) * 3),
        ...[0.1, 1, 10].map((le, k) => sample('lat_bucket', { le: String(le) }, t, Math.floor(i * (k + 1) * 0.5), 'counter')),
        sample('lat_bucket', { le: '+Inf' }, t, i * 2, 'counter'),
      ];
      if (i < 1500) batch.push(sample('gone', {}, t, i));
      if (i === 1500) batch.push(sample('gone', {}, t, STALE_NAN));
      await db.append(batch);
      for (const s of batch) mem.append(s.labels, s.t, s.v);
    }
    await db.settled();
    expect(db.stats().tiers[0]!.blocks).toBeGreaterThan(1); // the query spans blocks and the head
    const queries = [
      'rate(req_total[1m])',
      'increase(req_total{code="200"}[5m])',
      'sum by (code) (irate(req_total[30s]))',
      'resets(req_total[10m])',
      'avg_over_time(temp[1m])',
      'max_over_time(temp[5m]) - min_over_time(temp[5m])',
      'histogram_quantile(0.9, rate(lat_bucket[2m]))',
      'gone',
      'count_over_time(gone[1m])',
      'temp offset 5m',
    ];
    for (const q of queries) {
      const a = (await evalRange(db, q, T0 + 600_000, T0 + 2_399_000, 15_000)) as Matrix;
      const b = (await evalRange(mem, q, T0 + 600_000, T0 + 2_399_000, 15_000)) as Matrix;
      expect(key(a), q).toEqual(key(b));
      expect(a.result.length, q).toBeGreaterThan(0);
    }
  });

  it('reads the minute tier for a long range at a coarse step, and stays close to the raw answer', async () => {
    const db = await stores.open({ blockDurationMs: 3_600_000 });
    const mem = new MemoryQueryable();
    for (let i = 0; i < 4 * 3600; i += 10) {
      const batch = [];
      for (let j = i; j < i + 10; j++) {
        const t = T0 + j * 1000;
        batch.push(sample('bytes_total', {}, t, j * 1000 + (j % 13), 'counter'), sample('load', {}, t, 1 + (j % 600) / 600));
      }
      await db.append(batch);
      for (const s of batch) mem.append(s.labels, s.t, s.v);
    }
    await db.flush();
    // Roll-up points sit at the last sample of their minute, so a window's edges can take one
    // sample more or less than the raw window: within 1/1800 here (30 min windows of 1 s).
    for (const [q, tol] of [
      ['rate(bytes_total[10m])', 2e-3],
      ['avg_over_time(load[30m])', 2e-3],
      ['max_over_time(load[30m])', 2e-3],
    ] as const) {
      const a = (await evalRange(db, q, T0 + 3_600_000, T0 + 4 * 3_600_000 - 1000, 600_000)) as Matrix;
      const b = (await evalRange(mem, q, T0 + 3_600_000, T0 + 4 * 3_600_000 - 1000, 600_000)) as Matrix;
      expect(a.result.length).toBe(1);
      // It really read roll-ups: the select got 1-min points, not 1 s samples.
      const sel = await db.select({ minT: T0, maxT: T0 + 4 * 3_600_000, stepMs: 600_000, rangeMs: 1_800_000, func: 'avg_over_time' }, [{ name: '__name__', type: '=', value: 'load' }]);
      expect(sel[0]!.t.length).toBe(240);
      const [av, bv] = [a.result[0]!.v, b.result[0]!.v];
      expect(av.length).toBe(bv.length);
      for (let i = 0; i < av.length; i++) expect(Math.abs(av[i]! - bv[i]!) / Math.abs(bv[i]!), `${q} at ${i}`).toBeLessThan(tol);
    }
    // A bare range selector is answered with the raw samples (as Prometheus does), not one point a minute.
    const at = T0 + 3 * 3_600_000;
    const raw = (await evalInstant(db, 'load[30m]', at)) as Matrix;
    const rawMem = (await evalInstant(mem, 'load[30m]', at)) as Matrix;
    expect(raw.result[0]!.t.length).toBe(1801); // [t - 30m, t], both ends included as in Prometheus 2.42
    expect(key(raw)).toEqual(key(rawMem));
  });
});
