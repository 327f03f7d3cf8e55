// Proof by difference, live: the real Prometheus 2.42 scrapes telemd's prometheus exporter while
// telemd keeps the same metrics in its history; every query runs on both through their HTTP
// APIs (Prometheus' own, and the console's) and must give the same series and values.
//
// Timing skew: the exporter sends each point's own timestamp (send_timestamps: true) and
// Prometheus honours it, so both stores hold the same (t, v) samples, not samples taken at
// different moments. Prometheus scrapes four times per collection (0.5 s vs 2 s), so it sees
// every point (a point scraped twice has one timestamp: stored once). Queries are evaluated at
// times both have complete (at most the last collection both hold). Prometheus' target labels
// (job, instance) are dropped by metric_relabel_configs so the label sets are the same.
//
// Sources: hostmetrics (counters, gauges), statsd over UDP (counters, accumulated from deltas as
// diff_requests — a statsd counter is not monotonic in OTLP, so no _total — and gauges),
// and explicit-bucket histograms posted over OTLP/HTTP (neither hostmetrics nor statsd makes
// classic histograms: statsd's are exponential, which the text format cannot carry).
//
// Also here: `promtool query instant|range` against the console (bearer token through
// --http.config.file with authorization.credentials_file).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';

const havePrometheus = spawnSync('sh', ['-c', 'command -v prometheus && command -v promtool']).status === 0;
const COLLECT_S = 2;

interface Body {
  status: string;
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
}

/** Queries over counters, gauges and histograms; `$R` is a range of several collections. */
const QUERIES: string[] = [
  // selectors and gauges
  'system_memory_usage_bytes',
  'system_memory_usage_bytes{state="used"}',
  'system_memory_usage_bytes{state=~"used|free"}',
  'system_memory_usage_bytes{state!="used"}',
  'system_cpu_load_average_1m',
  'system_cpu_load_average_15m offset 4s',
  'sum(system_memory_usage_bytes)',
  'sum by (state) (system_memory_usage_bytes)',
  'max(system_memory_usage_bytes) - min(system_memory_usage_bytes)',
  'system_memory_usage_bytes / ignoring(state) group_left sum without (state) (system_memory_usage_bytes)',
  'topk(2, system_memory_usage_bytes)',
  'bottomk(1, system_memory_usage_bytes)',
  'count(system_memory_usage_bytes)',
  'avg(system_memory_usage_bytes)',
  'stddev(system_memory_usage_bytes)',
  'quantile(0.5, system_memory_usage_bytes)',
  'count_values("v", system_cpu_load_average_1m > bool 1000)',
  'system_memory_usage_bytes > 0',
  'system_memory_usage_bytes > bool 1e9',
  'sort_desc(system_memory_usage_bytes)',
  'abs(-system_cpu_load_average_1m)',
  'round(system_memory_usage_bytes / 1048576)',
  'clamp(system_cpu_load_average_1m, 0.1, 0.5)',
  'avg_over_time(system_memory_usage_bytes[$R])',
  'max_over_time(system_cpu_load_average_1m[$R])',
  'min_over_time(system_cpu_load_average_1m[$R])',
  'sum_over_time(system_cpu_load_average_1m[$R])',
  'count_over_time(system_memory_usage_bytes[$R])',
  'last_over_time(system_memory_usage_bytes[$R])',
  'stddev_over_time(system_memory_usage_bytes[$R])',
  'quantile_over_time(0.9, system_memory_usage_bytes[$R])',
  'delta(system_memory_usage_bytes{state="used"}[$R])',
  'deriv(system_memory_usage_bytes{state="used"}[$R])',
  'predict_linear(system_memory_usage_bytes{state="used"}[$R], 60)',
  'changes(system_cpu_load_average_1m[$R])',
  'timestamp(system_memory_usage_bytes{state="used"})',
  'absent(nonexistent_metric)',
  'absent_over_time(system_memory_usage_bytes[$R])',
  'label_replace(system_memory_usage_bytes, "s2", "$1", "state", "(.*)e.*")',
  'label_join(system_memory_usage_bytes, "both", "-", "state", "state")',
  // counters
  'system_cpu_time_seconds_total',
  'rate(system_cpu_time_seconds_total[$R])',
  'irate(system_cpu_time_seconds_total[$R])',
  'increase(system_cpu_time_seconds_total[$R])',
  'resets(system_cpu_time_seconds_total[$R])',
  'sum by (state) (rate(system_cpu_time_seconds_total[$R]))',
  'sum without (cpu) (rate(system_cpu_time_seconds_total[$R]))',
  'rate(system_cpu_time_seconds_total{state="idle"}[$R]) / ignoring(state) sum without (state) (rate(system_cpu_time_seconds_total[$R]))',
  'topk(3, rate(system_cpu_time_seconds_total[$R]))',
  '1 - avg(rate(system_cpu_time_seconds_total{state="idle"}[$R]))',
  'rate(system_network_io_bytes_total[$R])',
  'sum by (direction) (rate(system_network_io_bytes_total[$R]))',
  'rate(system_network_packets_total[$R]) > bool 0',
  'rate(system_cpu_time_seconds_total[$R]) and on(state) rate(system_cpu_time_seconds_total{state="user"}[$R])',
  'rate(system_cpu_time_seconds_total[$R]) unless rate(system_cpu_time_seconds_total{state="idle"}[$R])',
  'rate(system_cpu_time_seconds_total{state="idle"}[$R]) or rate(system_network_io_bytes_total[$R])',
  // statsd
  'diff_requests',
  'rate(diff_requests[$R])',
  'increase(diff_requests[$R])',
  'diff_queue_depth',
  'avg_over_time(diff_queue_depth[$R])',
  'diff_queue_depth * scalar(sum(rate(diff_requests[$R])))',
  // found by this suite: an empty on() with group_left beside a scalar is valid (2.42 drops it)
  'diff_queue_depth * on() group_left scalar(sum(rate(diff_requests[$R])))',
  // histograms (OTLP)
  'diff_latency_seconds_bucket',
  'rate(diff_latency_seconds_bucket[$R])',
  'histogram_quantile(0.5, rate(diff_latency_seconds_bucket[$R]))',
  'histogram_quantile(0.9, sum by (le) (rate(diff_latency_seconds_bucket[$R])))',
  'histogram_quantile(0.99, sum by (le, route) (increase(diff_latency_seconds_bucket[$R])))',
  'rate(diff_latency_seconds_sum[$R]) / rate(diff_latency_seconds_count[$R])',
  'sum(rate(diff_latency_seconds_count[$R]))',
  // scalars and literals
  'time()',
  'vector(1) + 2',
  'scalar(sum(system_memory_usage_bytes)) / 1024',
];

type Points = Map<string, [number, string][]>;

function points(d: { resultType: string; result: unknown }): Points {
  const out: Points = new Map();
  if (d.resultType === 'scalar' || d.resultType === 'string') {
    const [t, v] = d.result as [number, string];
    out.set('scalar', [[Math.round(t * 1000), v]]);
    return out;
  }
  for (const s of d.result as { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[]) {
    out.set(JSON.stringify(Object.entries(s.metric).sort()), (s.values ?? [s.value!]).map(([t, v]) => [Math.round(t * 1000), v]));
  }
  return out;
}

function close(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a.replace('Inf', 'Infinity'));
  const y = Number(b.replace('Inf', 'Infinity'));
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  return Math.abs(x - y) <= 1e-6 * Math.max(Math.abs(x), Math.abs(y));
}

function diff(what: string, ours: Body, theirs: Body): string[] {
  if (theirs.status !== 'success' || ours.status !== 'success') {
    if (theirs.status === ours.status && ours.errorType === theirs.errorType) return [];
    return [`${what}: telemd ${ours.status} ${ours.error ?? ''} / Prometheus ${theirs.status} ${theirs.error ?? ''}`];
  }
  if (ours.data!.resultType !== theirs.data!.resultType) return [`${what}: resultType ${ours.data!.resultType} vs ${theirs.data!.resultType}`];
  const a = points(ours.data!);
  const b = points(theirs.data!);
  const problems: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const pa = a.get(k);
    const pb = b.get(k);
    if (!pa || !pb) {
      problems.push(`${what}: series ${k} only in ${pa ? 'telemd' : 'Prometheus'}`);
      continue;
    }
    if (pa.length !== pb.length || pa.some(([t], i) => t !== pb[i]![0])) {
      problems.push(`${what}: ${k} timestamps differ (${pa.length} vs ${pb.length} points)`);
      continue;
    }
    pa.forEach(([, v], i) => {
      if (!close(v, pb[i]![1])) problems.push(`${what}: ${k} at ${pa[i]![0]}: ${v} vs ${pb[i]![1]}`);
    });
  }
  return problems;
}

describe.skipIf(!havePrometheus)('PromQL on the history against the real Prometheus scraping the same agent', () => {
  const dir = tempDir('telemd-console-diff-');
  const tokenFile = join(dir, 'console.token');
  let agent: Agent;
  let prom: ChildProcess | undefined;
  let promPort = 0;
  let consolePort = 0;
  let otlpPort = 0;
  let statsdPort = 0;
  let feeder: NodeJS.Timeout | undefined;
  let histTimer: NodeJS.Timeout | undefined;
  let token = '';
  const udp = createSocket('udp4');

  const promGet = async (path: string, params: Record<string, string>): Promise<Body> => {
    const r = await fetch(`http://127.0.0.1:${promPort}${path}?${new URLSearchParams(params)}`);
    return (await r.json()) as Body;
  };
  const ourGet = async (path: string, params: Record<string, string>): Promise<Body> => {
    const r = await fetch(`http://127.0.0.1:${consolePort}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    return (await r.json()) as Body;
  };

  // Cumulative explicit-bucket histograms per route, posted as OTLP JSON with their own times.
  const hist = { a: [0, 0, 0, 0], b: [0, 0, 0, 0] } as Record<string, number[]>;
  const sums: Record<string, number> = { a: 0, b: 0 };
  let tick = 0;
  const postHistogram = async () => {
    tick++;
    for (const [route, counts] of Object.entries(hist)) {
      for (let i = 0; i < 4; i++) counts[i]! += ((tick * (i + 2) + route.charCodeAt(0)) % 7) + (route === 'a' ? 1 : 3);
      sums[route]! += counts.reduce((x, y) => x + y, 0) * 0.01;
    }
    const now = BigInt(Date.now()) * 1_000_000n;
    const dataPoints = Object.entries(hist).map(([route, counts]) => ({
      attributes: [{ key: 'route', value: { stringValue: route } }],
      startTimeUnixNano: '1',
      timeUnixNano: now.toString(),
      count: String(counts.reduce((x, y) => x + y, 0)),
      sum: sums[route],
      bucketCounts: counts.map(String),
      explicitBounds: [0.05, 0.1, 0.5],
    }));
    const body = { resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ scope: { name: 'diff' }, metrics: [{ name: 'diff.latency', unit: 's', histogram: { aggregationTemporality: 2, dataPoints } }] }] }] };
    await fetch(`http://127.0.0.1:${otlpPort}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
  };

  beforeAll(async () => {
    [promPort, consolePort, otlpPort, statsdPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const exporterPort = await freePort();
    agent = await startAgent({
      dir,
      config: `
receivers:
  hostmetrics:
    collection_interval: ${COLLECT_S}s
    scrapers: {cpu: , memory: , load: , network: }
  statsd:
    endpoint: 127.0.0.1:${statsdPort}
    aggregation_interval: ${COLLECT_S}s
  otlp:
    protocols: {http: {endpoint: 127.0.0.1:${otlpPort}}}
exporters:
  prometheus: {endpoint: 127.0.0.1:${exporterPort}, send_timestamps: true}
  history: {directory: ${join(dir, 'history')}}
extensions:
  console: {endpoint: 127.0.0.1:${consolePort}, token_file: ${tokenFile}}
service:
  extensions: [console]
  pipelines:
    metrics: {receivers: [hostmetrics, statsd, otlp], exporters: [prometheus, history]}
`,
    });
    token = readFileSync(tokenFile, 'utf8').trim();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: {scrape_interval: 500ms, scrape_timeout: 400ms}
scrape_configs:
  - job_name: telemd
    # The agent names the host in \`instance\` itself (host.name): keep it; drop the target's job,
    # and the target's instance on series without a host (the OTLP histogram has no resource).
    honor_labels: true
    static_configs: [{targets: ['127.0.0.1:${exporterPort}']}]
    metric_relabel_configs:
      - {action: labeldrop, regex: 'job'}
      - {source_labels: [instance], regex: '127\\.0\\.0\\.1:${exporterPort}', target_label: instance, replacement: ''}
`,
    );
    prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: 'ignore' });
    feeder = setInterval(() => {
      udp.send(`diff.requests:${1 + (Date.now() % 5)}|c\ndiff.queue_depth:${Date.now() % 97}|g`, statsdPort, '127.0.0.1');
    }, 250);
    histTimer = setInterval(() => void postHistogram(), COLLECT_S * 1000);
    // Enough collections for ranges of several points: 30 s of data.
    await until(async () => {
      const r = await ourGet('/api/v1/query', { query: 'count_over_time(diff_latency_seconds_count[1m])' }).catch(() => undefined);
      const v = r?.status === 'success' ? Number((r.data!.result as { value: [number, string] }[])[0]?.value[1] ?? 0) : 0;
      return v >= 15;
    }, 60_000, '15 collections in the history', 1000);
  }, 90_000);

  afterAll(async () => {
    clearInterval(feeder);
    clearInterval(histTimer);
    udp.close();
    prom?.kill('SIGKILL');
    await agent?.stop();
  });

  it(`gives the same answers as Prometheus for ${QUERIES.length} queries (at least 60), instant and range`, async () => {
    expect(QUERIES.length).toBeGreaterThanOrEqual(60);
    // The newest collection time both hold: the latest histogram sample in the history, once
    // Prometheus has scraped it too.
    const last = await ourGet('/api/v1/query', { query: 'max(timestamp(diff_latency_seconds_count))' });
    const tLast = Number((last.data!.result as { value: [number, string] }[])[0]!.value[1]);
    await until(async () => {
      const r = await promGet('/api/v1/query', { query: 'max(timestamp(diff_latency_seconds_count))', time: String(tLast + 0.001) });
      return r.status === 'success' && Number((r.data!.result as { value: [number, string] }[])[0]?.value[1]) >= tLast;
    }, 10_000, 'Prometheus to hold the same last sample');
    const end = Math.floor(tLast) - 1;
    // Every source's newest sample up to `end` must be in both (Prometheus scrapes 0.5 s behind).
    for (const m of ['system_memory_usage_bytes', 'system_cpu_time_seconds_total', 'system_cpu_load_average_1m', 'system_network_io_bytes_total', 'diff_requests', 'diff_queue_depth', 'diff_latency_seconds_count']) {
      const q = { query: `max(timestamp(${m}))`, time: String(end) };
      await until(async () => {
        const [o, p] = await Promise.all([ourGet('/api/v1/query', q), promGet('/api/v1/query', q)]);
        return JSON.stringify(o.data) === JSON.stringify(p.data);
      }, 10_000, `Prometheus to hold the newest ${m} sample before ${end}`);
    }
    const range = '10s';
    const problems: string[] = [];
    let compared = 0;
    let values = 0;
    for (const q0 of QUERIES) {
      const q = q0.replaceAll('$R', range);
      for (const t of [end, end - 3.5, end - 7]) {
        const [o, p] = await Promise.all([ourGet('/api/v1/query', { query: q, time: String(t) }), promGet('/api/v1/query', { query: q, time: String(t) })]);
        problems.push(...diff(`instant ${q} @${t}`, o, p));
        compared++;
        if (p.status === 'success' && p.data) values += [...points(p.data).values()].reduce((n, ps) => n + ps.length, 0);
      }
      const params = { query: q, start: String(end - 16), end: String(end), step: '2' };
      const [o, p] = await Promise.all([ourGet('/api/v1/query_range', params), promGet('/api/v1/query_range', params)]);
      problems.push(...diff(`range ${q}`, o, p));
      compared++;
      if (p.status === 'success' && p.data) values += [...points(p.data).values()].reduce((n, ps) => n + ps.length, 0);
      // The comparison is only worth something when there is data to compare.
      if (!q.startsWith('absent')) expect(p.status === 'success' && [...points(p.data!).values()].some((ps) => ps.length > 0), `${q}: Prometheus has data`).toBe(true);
    }
    console.log(`console vs Prometheus: ${QUERIES.length} queries, ${compared} evaluations, ${values} values compared, ${problems.length} differences`);
    expect(problems).toEqual([]);
  }, 180_000);

  it('lists the same series, label names and values as Prometheus', async () => {
    const match = { 'match[]': '{__name__=~"system_cpu_time_seconds_total|diff_.*"}' };
    const [os, ps] = await Promise.all([ourGet('/api/v1/series', match), promGet('/api/v1/series', match)]);
    const norm = (b: Body) => (b.data as unknown as Record<string, string>[]).map((l) => JSON.stringify(Object.entries(l).sort())).sort();
    expect(norm(os)).toEqual(norm(ps));
    const ol = (await (await fetch(`http://127.0.0.1:${consolePort}/api/v1/label/state/values`, { headers: { authorization: `Bearer ${token}` } })).json()) as Body;
    const pl = await promGet('/api/v1/label/state/values', {});
    expect(ol.data).toEqual(pl.data);
    const [on, pn] = await Promise.all([ourGet('/api/v1/labels', match), promGet('/api/v1/labels', match)]);
    expect(on.data).toEqual(pn.data);
  });

  it('refuses unsupported or invalid PromQL as Prometheus does (same status, errorType and message)', async () => {
    for (const q of ['sum(', 'rate(system_cpu_time_seconds_total)', 'foo{', 'histogram_quantile(0.5)', '1 +', 'holt_winters(x[5m], 0.5, 0.5)', 'x @ 1 @ 2']) {
      const [o, p] = await Promise.all([ourGet('/api/v1/query', { query: q }), promGet('/api/v1/query', { query: q })]);
      expect({ q, ...o }).toEqual({ q, ...p });
    }
  });

  // promtool 2.42 has no --http.config.file (2.43 added it); it sends the URL's user:password
  // as Basic auth, which the console takes with the token as the password.
  it('promtool query instant and query range get correct answers from the console (the token as the URL password)', () => {
    const bare = `http://127.0.0.1:${consolePort}`;
    const url = `http://promtool:${token}@127.0.0.1:${consolePort}`;
    const run = (...a: string[]) => spawnSync('promtool', ['query', ...a], { encoding: 'utf8', timeout: 30_000 });
    const inst = run('instant', url, 'sum by (state) (system_memory_usage_bytes)');
    expect(inst.stderr).toBe('');
    expect(inst.status).toBe(0);
    expect(inst.stdout).toMatch(/^\{state="used"\} => \d+(\.\d+)?(e\+\d+)? @\[\d+(\.\d+)?\]$/m);
    const [ours, theirs] = [inst.stdout, run('instant', `http://127.0.0.1:${promPort}`, 'sum by (state) (system_memory_usage_bytes)').stdout];
    expect(ours.split('\n').map((l) => l.replace(/ @.*/, '')).length).toBe(theirs.split('\n').length);
    const scalar = run('instant', url, 'vector(6) * 7');
    expect(scalar.stdout.trim()).toMatch(/^\{\} => 42 @\[\d+(\.\d+)?\]$/);
    const now = Math.floor(Date.now() / 1000);
    const rng = run('range', `--start=${now - 10}`, `--end=${now}`, '--step=2s', url, 'count(system_memory_usage_bytes)');
    expect(rng.status).toBe(0);
    const lines = rng.stdout.trim().split('\n');
    expect(lines[0]).toBe('{} =>');
    expect(lines.slice(1)).toHaveLength(6);
    for (const l of lines.slice(1)) expect(l).toMatch(/^\d+ @\[\d+\]$/);
    // Without the token promtool is refused, and says so.
    const refused = run('instant', bare, 'up');
    expect(refused.status).not.toBe(0);
    expect(`${refused.stderr}${refused.stdout}`).toMatch(/401|missing "Authorization: Bearer/);
  });
});
