// The engine's API beyond what Prometheus' test files cover: result shapes and formatting,
// options (lookback, limits, timeout, cancellation), refusals, the in-memory store's bounds.
import { describe, expect, it } from 'vitest';
import {
  evalInstant,
  evalRange,
  formatExpr,
  instantQuery,
  MemoryQueryable,
  parseExpr,
  ParseError,
  QueryError,
  querySuccessJson,
  rangeQuery,
  STALE_NAN,
} from '../../src/promql/index.js';
import { formatFloatF, formatTimestamp, formatValue, parseGoFloat } from '../../src/promql/format.js';

function store(): MemoryQueryable {
  const q = new MemoryQueryable();
  for (let k = 0; k <= 20; k++) {
    q.append({ __name__: 'up', job: 'a' }, k * 15_000, 1);
    q.append({ __name__: 'reqs_total', job: 'a' }, k * 15_000, k * 10);
  }
  return q;
}

const scalar = async (expr: string): Promise<number> => {
  const r = await evalInstant(new MemoryQueryable(), expr, 0);
  if (r.resultType !== 'scalar') throw new Error(r.resultType);
  return r.value;
};

describe('parsing', () => {
  it('applies Prometheus precedence and associativity', async () => {
    expect(await scalar('-2 ^ 2')).toBe(-4);
    expect(await scalar('2 ^ 3 ^ 2')).toBe(512);
    expect(await scalar('1 - 1 - 1')).toBe(-1);
    expect(await scalar('2 * 3 + 4 * 5')).toBe(26);
    expect(await scalar('2 ^ -1 * 3')).toBe(1.5);
    expect(await scalar('1 + 2 > bool 2')).toBe(1);
    expect(await scalar('010 + 0x10')).toBe(24);
  });

  it('keeps source positions and prints expressions back', () => {
    const e = parseExpr('sum by (job) (rate(reqs_total{job=~"a|b"}[5m] offset 1m))');
    expect(e.start).toBe(0);
    expect(formatExpr(e)).toBe('sum by (job) (rate(reqs_total{job=~"a|b"}[5m] offset 1m))');
  });

  it('reports line and column of errors in multi-line expressions', () => {
    let err: ParseError | undefined;
    try {
      parseExpr('sum(\n  rate(x[5m])\n  +\n)');
    } catch (e) {
      err = e as ParseError;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect([err!.line, err!.col]).toEqual([4, 1]);
    expect(err!.message).toBe('4:1: parse error: unexpected right parenthesis \')\'');
  });

  it('refuses native-histogram functions and regexes it cannot translate, as unsupported', () => {
    for (const q of ['histogram_count(x)', 'x{a=~"(?i:\\\\p{Greek})"}']) {
      expect(() => parseExpr(q)).toThrow(/not supported/);
    }
  });
});

describe('results', () => {
  it('are shaped as the Prometheus HTTP API', async () => {
    const q = store();
    expect(await instantQuery(q, 'up', 30_000)).toEqual({ resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'a' }, value: [30, '1'] }] });
    expect(await instantQuery(q, '1/0', 1500)).toEqual({ resultType: 'scalar', result: [1.5, '+Inf'] });
    expect(await instantQuery(q, '"hi"', 0)).toEqual({ resultType: 'string', result: [0, 'hi'] });
    expect(await instantQuery(q, 'up[30s]', 30_000)).toEqual({
      resultType: 'matrix',
      result: [{ metric: { __name__: 'up', job: 'a' }, values: [[0, '1'], [15, '1'], [30, '1']] }],
    });
    expect(await rangeQuery(q, 'rate(reqs_total[1m])', 60_000, 90_000, 15_000)).toEqual({
      resultType: 'matrix',
      result: [{ metric: { job: 'a' }, values: [[60, '0.6666666666666666'], [75, '0.6666666666666666'], [90, '0.6666666666666666']] }],
    });
  });

  it('writes the bytes Prometheus writes', async () => {
    const q = store();
    expect(querySuccessJson(await evalRange(q, 'up', 0, 1500, 500))).toBe(
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[0,"1"],[0.500,"1"],[1,"1"],[1.500,"1"]]}]}}',
    );
    expect(querySuccessJson(await evalInstant(q, '1e-7', 500))).toBe('{"status":"success","data":{"resultType":"scalar","result":[0.5,"0.0000001"]}}');
    expect(querySuccessJson(await evalInstant(q, 'up * 0 + 1e-7', 500))).toContain('"value":[0.500,"1e-07"]');
  });

  it('formats numbers as Go does', () => {
    expect([1e-7, 1.5e21, 123.456, -0, 0, NaN, Infinity, -Infinity].map(formatValue)).toEqual(['1e-07', '1.5e+21', '123.456', '-0', '0', 'NaN', '+Inf', '-Inf']);
    expect([1e-7, 1.5e21, 2.5e-10].map(formatFloatF)).toEqual(['0.0000001', '1500000000000000000000', '0.00000000025']);
    expect([0, 1500, -1500, 1_700_000_000_007].map(formatTimestamp)).toEqual(['0', '1.500', '-1.500', '1700000000.007']);
    expect(['+Inf', '1e0', '.2', '0x1p-2', 'abc', ''].map(parseGoFloat)).toEqual([Infinity, 1, 0.2, 0.25, undefined, undefined]);
  });

  it('ends a series at a staleness marker and at the lookback delta', async () => {
    const q = new MemoryQueryable();
    q.append({ __name__: 'x' }, 0, 1);
    q.append({ __name__: 'x' }, 10_000, STALE_NAN);
    q.append({ __name__: 'y' }, 0, 1);
    expect((await evalInstant(q, 'x', 5_000)).resultType === 'vector' && (await instantQuery(q, 'x', 5_000)).result).toHaveLength(1);
    expect((await instantQuery(q, 'x', 10_000)).result).toHaveLength(0);
    expect((await instantQuery(q, 'y', 60_000, { lookbackDeltaMs: 30_000 })).result).toHaveLength(0);
    expect((await instantQuery(q, 'y', 60_000)).result).toHaveLength(1);
  });
});

describe('limits', () => {
  it('refuses a query that would hold more than max_samples', async () => {
    await expect(evalRange(store(), 'up + up', 0, 300_000, 1000, { maxSamples: 500 })).rejects.toThrow(
      'query processing would load too many samples into memory in query execution',
    );
  });

  it('times out and can be cancelled', async () => {
    await expect(evalInstant(store(), 'up', 0, { timeoutMs: -1 })).rejects.toMatchObject({ errorType: 'timeout' });
    const ac = new AbortController();
    ac.abort();
    await expect(evalInstant(store(), 'up', 0, { signal: ac.signal })).rejects.toMatchObject({ errorType: 'canceled' });
  });

  it('checks range query parameters as Prometheus\' API does', async () => {
    await expect(evalRange(store(), 'up', 0, 1, 0)).rejects.toThrow(/zero or negative query resolution step/);
    await expect(evalRange(store(), 'up', 10, 0, 1)).rejects.toThrow(/end timestamp must not be before start time/);
    await expect(evalRange(store(), 'up', 0, 20_000_000, 1000)).rejects.toThrow(/exceeded maximum resolution of 11000 points/);
    await expect(evalRange(store(), 'up[5m]', 0, 1000, 1000)).rejects.toThrow('invalid expression type "range vector" for range query, must be Scalar or instant Vector');
  });

  it('raises Prometheus\' matching errors', async () => {
    const q = store();
    q.append({ __name__: 'up', job: 'b' }, 0, 1);
    await expect(evalInstant(q, 'vector(1) + on() group_left up', 0)).rejects.toThrow(/found duplicate series for the match group \{\} on the right hand-side/);
    await expect(evalInstant(q, 'up + on() vector(1)', 0)).rejects.toThrow('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    await expect(evalInstant(q, 'up * 0 + ignoring(job) group_left up * 0', 0)).rejects.toThrow(/found duplicate series/);
    await expect(evalInstant(q, 'topk(scalar(nope), up)', 0)).rejects.toThrow('Scalar value NaN overflows int64');
    expect(QueryError).toBeDefined();
  });
});

describe('MemoryQueryable', () => {
  it('is bounded by series count and counts what it refuses', async () => {
    const q = new MemoryQueryable({ maxSeries: 2 });
    expect(q.append({ __name__: 'a' }, 0, 1)).toBe('ok');
    expect(q.append({ __name__: 'b' }, 0, 1)).toBe('ok');
    expect(q.append({ __name__: 'c' }, 0, 1)).toBe('series_limit');
    expect(q.append({ __name__: 'a' }, 0, 2)).toBe('duplicate');
    expect(q.append({ __name__: 'a' }, 0, 1)).toBe('ok');
    expect(q.append({ __name__: 'a' }, -1, 1)).toBe('out_of_order');
    expect(q.refused).toEqual({ duplicate: 1, out_of_order: 1, series_limit: 1 });
    expect(q.seriesCount).toBe(2);
    const a = q.ref({ __name__: 'a' })!;
    expect(q.appendRef(a, 1, 5)).toBe('ok');
    expect(q.ref({ __name__: 'd' })).toBeUndefined();
    q.dropSeries([{ name: '__name__', type: '=', value: 'a' }]);
    expect(q.appendRef(a, 2, 6)).toBe('ok'); // the handle outlives a drop
    expect(q.sampleCount).toBe(2);
  });

  it('drops old samples by retention and on demand; series left empty go', async () => {
    const q = new MemoryQueryable({ retentionMs: 60_000 });
    for (let t = 0; t < 10_000_000; t += 1000) q.append({ __name__: 'x', i: String(t % 3) }, t, t);
    q.append({ __name__: 'old' }, 0, 1);
    const before = await q.select({ minT: 0, maxT: 1e9 }, [{ name: '__name__', type: '=', value: 'x' }]);
    expect(q.sampleCount).toBeLessThan(3 * 70_000);
    expect(q.dropBefore(9_990_000)).toBeGreaterThan(0);
    expect(q.seriesCount).toBe(3);
    expect((await q.labelValues('i', { minT: 0, maxT: 1e9 })).length).toBe(3);
    // Views handed out earlier stay valid snapshots.
    expect(before[0]!.t[0]).toBeLessThan(before[0]!.t[before[0]!.t.length - 1]!);
    expect(Array.from(before[0]!.t).every((t, k, a) => k === 0 || t > a[k - 1]!)).toBe(true);
  });

  it('selects with RE2 matchers, a missing label matching ""', async () => {
    const q = new MemoryQueryable();
    q.append({ __name__: 'm', a: 'x' }, 0, 1);
    q.append({ __name__: 'm' }, 0, 2);
    const sel = (value: string, type: '=~' | '!~' | '=' | '!=' = '=~') => q.select({ minT: 0, maxT: 0 }, [{ name: '__name__', type: '=', value: 'm' }, { name: 'a', type, value }]);
    expect((await sel('')).length).toBe(1);
    expect((await sel('', '=')).length).toBe(1);
    expect((await sel('x|')).length).toBe(2);
    expect((await sel('X', '=~')).length).toBe(0);
    expect((await sel('(?i)X')).length).toBe(1);
    expect((await sel('.+', '!~')).length).toBe(1);
    expect(await q.labelNames({ minT: 0, maxT: 0 })).toEqual(['__name__', 'a']);
  });
});
