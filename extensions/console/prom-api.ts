// The Prometheus HTTP API (v1, as Prometheus 2.42 answers it) over a history store: what
// Grafana's Prometheus data source and `promtool query` call.
import { ApiError, type ApiRequest, type JsonRoute } from '../../src/console/api.js';
import { queryDataJson } from '../../src/promql/apijson.js';
import { evalInstant, evalRange, parseExpr, ParseError, QueryError, type Matcher, type Queryable } from '../../src/promql/index.js';
import { matchesEmpty } from '../../src/promql/parser.js';
import { VERSION } from '../../src/version.js';
import type { Config } from './config.js';
import { durationParam, invalidParam, MAX_MS, MIN_MS, timeParam } from './params.js';

/** Metric metadata as /api/v1/metadata lists it. */
export interface MetricMetadata {
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';
  help: string;
  unit: string;
}

/** What a store may offer beyond Queryable: the metadata of its metric families. */
export interface MetadataSource {
  metadata(): Promise<ReadonlyMap<string, MetricMetadata>> | ReadonlyMap<string, MetricMetadata>;
}

export interface HistorySource {
  id: string;
  store: Queryable & Partial<MetadataSource>;
}

/** Prometheus' own API level, which clients (Grafana) read to pick features. */
export const PROMETHEUS_API_VERSION = '2.42.0';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_POINTS = 11_000;
/** Queries in one /api/v1/query_batch request (the host page has about 15). */
const MAX_BATCH = 64;

export function historyRoutes(cfg: Config, stores: () => readonly HistorySource[]): JsonRoute[] {
  const pick = (): HistorySource => {
    const all = stores();
    if (cfg.history) {
      const s = all.find((x) => x.id === cfg.history);
      if (!s) throw new ApiError('unavailable', `history store ${cfg.history} (console history:) is not running${all.length ? `; running: ${all.map((x) => x.id).join(', ')}` : ''}`);
      return s;
    }
    if (all.length === 0) throw new ApiError('unavailable', 'no history store is running: list the history exporter in a metrics pipeline');
    if (all.length > 1) throw new ApiError('unavailable', `several history stores run (${all.map((x) => x.id).join(', ')}): set history: in the console config`);
    return all[0]!;
  };

  const queryOpts = (req: ApiRequest) => {
    const t = durationParam(req.form, 'timeout');
    return {
      timeoutMs: t !== undefined && t > 0 ? Math.min(t, cfg.query.timeout) : cfg.query.timeout,
      maxSamples: cfg.query.max_samples,
      lookbackDeltaMs: cfg.query.lookback_delta,
      maxPointsPerSeries: MAX_POINTS + 1,
      signal: req.signal,
    };
  };

  const parseQuery = (req: ApiRequest) => {
    const q = req.form.get('query') ?? '';
    // Prometheus' wording for an empty query (the engine says "unexpected end of input").
    if (q.trim() === '') throw invalidParam('query', '1:1: parse error: no expression found in input');
    try {
      return parseExpr(q);
    } catch (err) {
      if (err instanceof ParseError) throw invalidParam('query', err.message);
      throw err;
    }
  };

  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof ParseError) throw invalidParam('query', err.message);
      if (err instanceof QueryError) {
        const type = err.errorType === 'bad_data' ? 'bad_data' : err.errorType === 'timeout' ? 'timeout' : err.errorType === 'canceled' ? 'canceled' : 'execution';
        throw new ApiError(type, err.message);
      }
      throw new ApiError('internal', (err as Error).message ?? String(err));
    }
  };

  const matcherSets = (req: ApiRequest, required: boolean): Matcher[][] => {
    const raw = req.form.getAll('match[]');
    if (raw.length === 0 && required) throw new ApiError('bad_data', 'no match[] parameter provided');
    return raw.map((m) => {
      let e;
      try {
        e = parseExpr(m);
      } catch (err) {
        // Prometheus' selector parser leaves this check to the API, which words it so.
        if (err instanceof ParseError && err.detail.startsWith('vector selector must contain at least one non-empty matcher'))
          throw invalidParam('match[]', 'match[] must contain at least one non-empty matcher');
        throw invalidParam('match[]', (err as Error).message);
      }
      if (e.type !== 'vectorSelector') throw invalidParam('match[]', selectorError(m));
      if (e.matchers.every(matchesEmpty)) throw invalidParam('match[]', 'match[] must contain at least one non-empty matcher');
      return [...e.matchers];
    });
  };

  const range = (req: ApiRequest) => {
    const start = timeParam(req.form, 'start', MIN_MS);
    const end = timeParam(req.form, 'end', MAX_MS);
    return { minT: start, maxT: end };
  };

  /** Sorted union of what `fn` returns for each matcher set (or once, without matchers). */
  const union = async (sets: Matcher[][], fn: (m?: Matcher[]) => Promise<readonly string[]>): Promise<string[]> => {
    if (sets.length === 0) return [...(await fn())];
    const all = new Set<string>();
    for (const m of sets) for (const v of await fn(m)) all.add(v);
    return [...all].sort();
  };

  const instantJson = async (req: ApiRequest): Promise<string> => {
    const t = timeParam(req.form, 'time', Date.now());
    const expr = parseQuery(req);
    return queryDataJson(await evalInstant(pick().store, expr, t, queryOpts(req)));
  };

  const rangeJson = async (req: ApiRequest): Promise<string> => {
    const start = timeParam(req.form, 'start');
    const end = timeParam(req.form, 'end');
    if (end < start) throw new ApiError('bad_data', 'end timestamp must not be before start time');
    const step = durationParam(req.form, 'step');
    if (step === undefined) throw invalidParam('step', 'cannot parse "" to a valid duration');
    if (!(step > 0)) throw new ApiError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if ((end - start) / step > MAX_POINTS) throw new ApiError('bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    const expr = parseQuery(req);
    return queryDataJson(await evalRange(pick().store, expr, start, end, step, queryOpts(req)));
  };

  return [
    {
      method: ['GET', 'POST'],
      path: '/api/v1/query',
      access: 'read',
      description: 'PromQL instant query over the history (Prometheus API)',
      handle: (req) => run(async () => ({ dataJson: await instantJson(req) })),
    },
    {
      method: ['GET', 'POST'],
      path: '/api/v1/query_range',
      access: 'read',
      description: 'PromQL range query over the history (Prometheus API)',
      handle: (req) => run(async () => ({ dataJson: await rangeJson(req) })),
    },
    {
      method: 'POST',
      path: '/api/v1/query_batch',
      access: 'read',
      description: `several instant/range queries in one request (the web console's charts): JSON {"queries":[{"query","time"}|{"query","start","end","step"}]}, at most ${MAX_BATCH}; each answered as its own Prometheus envelope`,
      handle: async (req) => {
        const body = req.body as { queries?: unknown } | undefined;
        const list = body && Array.isArray(body.queries) ? (body.queries as unknown[]) : undefined;
        if (!list) throw new ApiError('bad_data', 'expected a JSON body {"queries":[{"query":…,"time":…} or {"query":…,"start":…,"end":…,"step":…}]}');
        if (list.length > MAX_BATCH) throw new ApiError('bad_data', `at most ${MAX_BATCH} queries per batch, got ${list.length}`);
        const parts: string[] = [];
        for (const q of list) {
          const form = new URLSearchParams();
          if (q && typeof q === 'object') for (const [k, v] of Object.entries(q)) if (typeof v === 'string' || typeof v === 'number') form.set(k, String(v));
          const sub: ApiRequest = { ...req, form };
          try {
            const json = await run(() => (form.has('step') ? rangeJson(sub) : instantJson(sub)));
            parts.push(`{"status":"success","data":${json}}`);
          } catch (err) {
            const e = err as ApiError;
            parts.push(JSON.stringify({ status: 'error', errorType: e.errorType, error: e.message }));
          }
        }
        return { dataJson: `{"results":[${parts.join(',')}]}` };
      },
    },
    {
      method: ['GET', 'POST'],
      path: '/api/v1/series',
      access: 'read',
      description: 'series matching match[] in [start, end] (Prometheus API)',
      handle: (req) =>
        run(async () => {
          const sets = matcherSets(req, true);
          const hints = range(req);
          const store = pick().store;
          const seen = new Map<string, Record<string, string>>();
          for (const m of sets) {
            for (const s of await store.select({ ...hints, func: 'series' }, m)) {
              const labels = Object.fromEntries(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
              seen.set(JSON.stringify(labels), labels);
            }
          }
          return { data: [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l) };
        }),
    },
    {
      method: ['GET', 'POST'],
      path: '/api/v1/labels',
      access: 'read',
      description: 'label names (Prometheus API)',
      handle: (req) =>
        run(async () => {
          const sets = matcherSets(req, false);
          const hints = range(req);
          const store = pick().store;
          return { data: await union(sets, (m) => store.labelNames(hints, m)) };
        }),
    },
    {
      method: 'GET',
      path: '/api/v1/label/{name}/values',
      access: 'read',
      description: 'values of one label (Prometheus API); __name__ lists the metric names',
      handle: (req) =>
        run(async () => {
          const name = req.params.name!;
          if (!LABEL_NAME.test(name)) throw new ApiError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
          const sets = matcherSets(req, false);
          const hints = range(req);
          const store = pick().store;
          return { data: await union(sets, (m) => store.labelValues(name, hints, m)) };
        }),
    },
    {
      method: 'GET',
      path: '/api/v1/metadata',
      access: 'read',
      description: 'type, help and unit per metric family (Prometheus API)',
      handle: (req) =>
        run(async () => {
          const limitRaw = req.form.get('limit');
          const limit = limitRaw === null || limitRaw === '' ? -1 : Number(limitRaw);
          if (!Number.isInteger(limit)) throw new ApiError('bad_data', 'limit must be a number');
          const metric = req.form.get('metric') ?? '';
          const src = pick().store;
          const meta = src.metadata ? await src.metadata() : inferMetadata(await src.labelValues('__name__', { minT: MIN_MS, maxT: MAX_MS }));
          const out: Record<string, MetricMetadata[]> = {};
          let n = 0;
          for (const [name, m] of [...meta].sort(([a], [b]) => (a < b ? -1 : 1))) {
            if (metric !== '' && name !== metric) continue;
            if (limit >= 0 && n >= limit) break;
            out[name] = [m];
            n++;
          }
          return { data: out };
        }),
    },
    {
      method: ['GET', 'POST'],
      path: '/api/v1/query_exemplars',
      access: 'read',
      description: 'exemplars (the history keeps none: always empty, as Prometheus without exemplar storage)',
      handle: (req) =>
        run(async () => {
          parseQuery(req);
          timeParam(req.form, 'start', MIN_MS);
          timeParam(req.form, 'end', MAX_MS);
          return { data: [] };
        }),
    },
    {
      method: 'GET',
      path: '/api/v1/status/buildinfo',
      access: 'read',
      description: 'the Prometheus API level served (2.42) and telemd\'s version',
      handle: () => ({
        data: {
          version: PROMETHEUS_API_VERSION,
          revision: `telemd-${VERSION}`,
          branch: 'telemd',
          buildUser: 'telemd',
          buildDate: '',
          goVersion: `node${process.versions.node}`,
          application: 'telemd',
          telemdVersion: VERSION,
        },
      }),
    },
  ];
}

/**
 * Metadata from the names alone, for stores that keep no descriptions: `_bucket` with `_sum`
 * and `_count` is a histogram (listed once by its family name), `_total` a counter, the rest
 * gauges. Units follow telemd's naming (`_seconds`, `_bytes`, …).
 */
export function inferMetadata(names: readonly string[]): Map<string, MetricMetadata> {
  const set = new Set(names);
  const out = new Map<string, MetricMetadata>();
  const histos = new Set<string>();
  for (const n of names) {
    if (n.endsWith('_bucket')) {
      const base = n.slice(0, -7);
      if (set.has(`${base}_count`)) histos.add(base);
    }
  }
  for (const h of histos) out.set(h, { type: 'histogram', help: '', unit: unitOf(h) });
  for (const n of names) {
    const base = n.replace(/_(bucket|sum|count)$/, '');
    if (histos.has(base) && base !== n) continue;
    out.set(n, { type: n.endsWith('_total') ? 'counter' : 'gauge', help: '', unit: unitOf(n.replace(/_total$/, '')) });
  }
  return out;
}

const UNITS = ['seconds', 'bytes', 'ratio', 'celsius', 'hertz', 'meters', 'volts', 'amperes', 'joules', 'grams'];
function unitOf(name: string): string {
  for (const u of UNITS) if (name.endsWith(`_${u}`)) return u;
  return '';
}

/**
 * Prometheus' ParseMetricSelector error for valid PromQL that is not a bare series selector
 * (`sum(up)`, `up[5m]`): the first token after `name{…}`.
 */
export function selectorError(text: string): string {
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skip();
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text.slice(i));
  if (name) i += name[0].length;
  skip();
  if (text[i] === '{') {
    let quote = '';
    for (i++; i < text.length; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'" || c === '`') quote = c;
      else if (c === '}') {
        i++;
        break;
      }
    }
    skip();
  }
  let line = 1;
  let col = 1;
  for (let k = 0; k < i; k++) {
    if (text[k] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  const rest = text.slice(i);
  const op = /^(==|!=|>=|<=|=~|!~|[()[\]{},+\-*/%^=<>@])/.exec(rest);
  const word = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(rest);
  const what = op ? JSON.stringify(op[0]) : word ? `identifier ${JSON.stringify(word[0])}` : JSON.stringify(rest.slice(0, 1));
  return `${line}:${col}: parse error: unexpected ${what}`;
}
