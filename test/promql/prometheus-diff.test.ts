// Proof by difference: the same data in the real Prometheus 2.42 (TSDB blocks made by promtool)
// and in the engine's MemoryQueryable; every query of DIFF_QUERIES is run by both, as instant
// queries at four times (aligned, unaligned, inside a gap, near the start) and as a range query,
// through Prometheus' HTTP API. Both must return the same series, the same timestamps and
// values equal within 1e-9 relative (there is no timing skew: both read identical samples), and
// fail on the same queries. Where all values are bit-identical, range responses must be
// byte-identical to Prometheus' JSON (instant vectors may list series in another order).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { querySuccessJson } from '../../src/promql/apijson.js';
import { evalInstant, evalRange, toApiData, type QueryData, type QueryResult } from '../../src/promql/engine.js';
import { MemoryQueryable } from '../../src/promql/memory.js';
import { parseExpr, typeOf } from '../../src/promql/parser.js';
import { BASE_MS, diffData, toOpenMetrics } from './diff-data.js';
import { BAD_QUERIES, DIFF_QUERIES, REFUSED_QUERIES } from './diff-queries.js';
import { ParseError } from '../../src/promql/errors.js';
import { havePromtool, prometheusOver, type PrometheusOverBlocks } from './real-prometheus.js';

const INSTANTS = [60 * 60_000, 97 * 60_000 + 13_500, 45 * 60_000, 5 * 60_000].map((d) => BASE_MS + d);
const RANGE = { start: BASE_MS + 5 * 60_000, end: BASE_MS + 115 * 60_000, step: 60_000 };

type Points = Map<string, [number, string][]>;

function points(d: { resultType: string; result: unknown }): Points | [number, string] {
  if (d.resultType === 'scalar' || d.resultType === 'string') {
    const [t, v] = d.result as [number, string];
    return [Math.round(t * 1000), v];
  }
  const out: Points = new Map();
  for (const s of d.result as { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[]) {
    const key = JSON.stringify(Object.entries(s.metric).sort());
    const ps = s.values ?? [s.value!];
    out.set(key, ps.map(([t, v]) => [Math.round(t * 1000), v]));
  }
  return out;
}

function sameValue(a: string, b: string): 'exact' | 'close' | false {
  if (a === b) return 'exact';
  const x = Number(a.replace('Inf', 'Infinity'));
  const y = Number(b.replace('Inf', 'Infinity'));
  if (Number.isNaN(x) && Number.isNaN(y)) return 'close';
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) ? 'close' : false;
}

describe.skipIf(!havePromtool)('the engine against the real Prometheus 2.42 on the same data', () => {
  let prom: PrometheusOverBlocks;
  const store = new MemoryQueryable();
  const stats = { compared: 0, exactValues: 0, closeValues: 0, bothFailed: 0, bodies: 0, identicalBodies: 0, reordered: 0 };

  beforeAll(async () => {
    const data = diffData();
    for (const s of data) s.t.forEach((t, k) => store.append(s.labels, t, s.v[k]!));
    prom = await prometheusOver(toOpenMetrics(data));
  });
  afterAll(async () => {
    await prom?.stop();
    console.log(`promql diff: ${JSON.stringify(stats)}`);
  });

  it(`runs ${DIFF_QUERIES.length} queries (at least 60)`, () => {
    expect(DIFF_QUERIES.length).toBeGreaterThanOrEqual(60);
  });

  /** Differences; `exact` is cleared when a value matched only within the tolerance. */
  let exact = true;
  const compare = (what: string, theirs: { body: string; json: { status: string; data?: QueryData; error?: string } }, ours: QueryResult | Error): string[] => {
    const problems: string[] = [];
    exact = true;
    if (theirs.json.status !== 'success' || ours instanceof Error) {
      if (theirs.json.status === 'success') problems.push(`${what}: we failed (${(ours as Error).message}), Prometheus answered`);
      else if (!(ours instanceof Error)) problems.push(`${what}: Prometheus failed (${theirs.json.error}), we answered`);
      else stats.bothFailed++;
      return problems;
    }
    const mine = toApiData(ours);
    if (mine.resultType !== theirs.json.data!.resultType) return [`${what}: resultType ${mine.resultType} vs ${theirs.json.data!.resultType}`];
    const a = points(mine);
    const b = points(theirs.json.data!);
    if (Array.isArray(a) || Array.isArray(b)) {
      const [ta, va] = a as [number, string];
      const [tb, vb] = b as [number, string];
      const same = ta === tb && sameValue(va, vb);
      if (!same) problems.push(`${what}: scalar ${ta} ${va} vs ${tb} ${vb}`);
      else stats[same === 'exact' ? 'exactValues' : 'closeValues']++;
      if (same !== 'exact') exact = false;
      return problems;
    }
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      const pa = a.get(k);
      const pb = b.get(k);
      if (!pa || !pb) {
        problems.push(`${what}: series ${k} only in ${pa ? 'ours' : "Prometheus'"}`);
        continue;
      }
      if (pa.length !== pb.length) {
        problems.push(`${what}: series ${k}: ${pa.length} points vs ${pb.length}`);
        continue;
      }
      pa.forEach(([t, v], i) => {
        const [t2, v2] = pb[i]!;
        const same = t === t2 && sameValue(v, v2);
        if (!same) problems.push(`${what}: series ${k} at ${t}: ${v} vs ${t2} ${v2}`);
        else stats[same === 'exact' ? 'exactValues' : 'closeValues']++;
        if (same !== 'exact') exact = false;
      });
    }
    stats.compared++;
    return problems;
  };

  it('instant queries agree', async () => {
    const problems: string[] = [];
    for (const q of DIFF_QUERIES) {
      for (const t of INSTANTS) {
        const theirs = await prom.get('/api/v1/query', { query: q, time: (t / 1000).toFixed(3) });
        const ours = await evalInstant(store, q, t).catch((e: Error) => e);
        const p = compare(`${q} @${t}`, theirs as never, ours);
        problems.push(...p);
        if (p.length === 0 && exact && !(ours instanceof Error)) {
          stats.bodies++;
          if (querySuccessJson(ours) === theirs.body.trim()) stats.identicalBodies++;
          else stats.reordered++;
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('range queries agree, byte for byte', async () => {
    const problems: string[] = [];
    for (const q of DIFF_QUERIES) {
      const type = typeOf(parseExpr(q));
      if (type !== 'scalar' && type !== 'vector') continue;
      const theirs = await prom.get('/api/v1/query_range', { query: q, start: String(RANGE.start / 1000), end: String(RANGE.end / 1000), step: String(RANGE.step / 1000) });
      const ours = await evalRange(store, q, RANGE.start, RANGE.end, RANGE.step).catch((e: Error) => e);
      const p = compare(`range ${q}`, theirs as never, ours);
      problems.push(...p);
      // Where every value is bit-identical, the bytes must be too (range results are sorted).
      if (p.length === 0 && exact && !(ours instanceof Error)) {
        stats.bodies++;
        if (querySuccessJson(ours) === theirs.body.trim()) stats.identicalBodies++;
        else problems.push(`range ${q}: same values but different JSON bytes:\n${querySuccessJson(ours).slice(0, 300)}\n${theirs.body.slice(0, 300)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('rejects invalid queries with Prometheus\' own message and position', async () => {
    const problems: string[] = [];
    for (const q of BAD_QUERIES) {
      const theirs = (await prom.get('/api/v1/query', { query: q, time: '1700000000' })).json;
      let ours = 'success';
      try {
        parseExpr(q);
      } catch (e) {
        ours = (e as Error).message;
      }
      const msg = theirs.status === 'success' ? 'success' : theirs.error!.replace('invalid parameter "query": ', '');
      if (msg !== ours) problems.push(`${JSON.stringify(q)}: ours ${JSON.stringify(ours)}, Prometheus ${JSON.stringify(msg)}`);
    }
    expect(problems).toEqual([]);
  });

  it('refuses, with a position, valid PromQL that it does not evaluate', async () => {
    for (const q of REFUSED_QUERIES) {
      expect((await prom.get('/api/v1/query', { query: q, time: '1700000000' })).json.status).toBe('success');
      const err = (() => {
        try {
          parseExpr(q);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err, q).toBeInstanceOf(ParseError);
      expect((err as ParseError).unsupported).toBe(true);
      expect((err as ParseError).message).toMatch(/^1:\d+: parse error: .*not supported/);
    }
  });
});

