// Deterministic data for the differential test against the real Prometheus: two hours at a
// 15 s scrape interval with jitter; counters (one reset), gauges (one with a gap longer than the
// lookback, one starting late, one with NaNs), a classic histogram, very large and very small
// values. Written as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`.

export const BASE_MS = 1_700_000_000_000;
export const SPAN_MS = 2 * 3_600_000;
const STEP_MS = 15_000;

export interface DiffSeries {
  labels: Record<string, string>;
  t: number[];
  v: number[];
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function diffData(): DiffSeries[] {
  const r = rng(42);
  const out: DiffSeries[] = [];
  const times = (from = 0, to = SPAN_MS): number[] => {
    const ts: number[] = [];
    for (let t = from; t < to; t += STEP_MS) ts.push(BASE_MS + t + Math.round((r() - 0.5) * 400));
    return ts;
  };
  const add = (labels: Record<string, string>, t: number[], f: (k: number, t: number) => number): void => {
    out.push({ labels, t, v: t.map((x, k) => f(k, x)) });
  };

  for (const instance of ['a', 'b', 'c']) {
    for (const code of ['200', '500']) {
      let c = instance === 'b' ? 1000 : 0;
      const t = times();
      const rate = code === '200' ? 5 : 0.2;
      add({ __name__: 'http_requests_total', job: 'api', instance, code }, t, (k) => {
        if (instance === 'c' && k === 200) c = 0; // a restart
        c += Math.floor(r() * rate * 30);
        return c;
      });
    }
    const up = times();
    add({ __name__: 'up', job: 'api', instance }, up, (k) => (instance === 'b' && k > 300 && k < 320 ? 0 : 1));
  }
  for (const cpu of ['0', '1']) {
    for (const mode of ['idle', 'user', 'system']) {
      let c = 0;
      add({ __name__: 'node_cpu_seconds_total', cpu, mode }, times(), () => (c += (mode === 'idle' ? 12 : 2) * r()));
    }
  }
  add({ __name__: 'temperature', room: 'kitchen' }, times(), (_k, t) => 21 + 3 * Math.sin((t - BASE_MS) / 600_000) + r() * 0.5);
  add({ __name__: 'temperature', room: 'hall' }, times(30 * 60_000), (_k, t) => 19 + 2 * Math.cos((t - BASE_MS) / 900_000) + r() * 0.5);
  const attic = times().filter((t) => t - BASE_MS < 40 * 60_000 || t - BASE_MS > 55 * 60_000);
  add({ __name__: 'temperature', room: 'attic' }, attic, (_k, t) => 25 + ((t - BASE_MS) / 3_600_000) * 4 + r());
  add({ __name__: 'queue_depth' }, times(), (k) => (k % 37 === 5 ? NaN : Math.floor(r() * 50)));
  let free = 5e11;
  add({ __name__: 'disk_free_bytes', mount: '/' }, times(), () => (free -= 1e6 * r()));
  add({ __name__: 'disk_free_bytes', mount: '/home' }, times(), () => 2e12);
  add({ __name__: 'big_value' }, times(), (k) => 1.5e21 + k * 1e18);
  add({ __name__: 'tiny_value' }, times(), (k) => 1e-7 * (1 + k / 1000));
  add({ __name__: 'version_info', version: '1.2.3' }, times(), () => 1);

  const bounds = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
  for (const path of ['/a', '/b']) {
    const t = times();
    const counts = bounds.map(() => 0);
    let sum = 0;
    const rows = t.map(() => {
      const n = Math.floor(r() * 20);
      for (let k = 0; k < n; k++) {
        const x = path === '/a' ? r() * 0.3 : r() * 1.5;
        sum += x;
        bounds.forEach((b, i) => {
          if (x <= Number(b === '+Inf' ? Infinity : b)) counts[i]!++;
        });
      }
      return { counts: [...counts], sum, n: counts[counts.length - 1]! };
    });
    bounds.forEach((le, i) => out.push({ labels: { __name__: 'latency_seconds_bucket', path, le }, t, v: rows.map((x) => x.counts[i]!) }));
    out.push({ labels: { __name__: 'latency_seconds_sum', path }, t, v: rows.map((x) => x.sum) });
    out.push({ labels: { __name__: 'latency_seconds_count', path }, t, v: rows.map((x) => x.n) });
  }
  return out;
}

/** OpenMetrics text of the series (one `unknown` family per metric name). */
export function toOpenMetrics(series: DiffSeries[]): string {
  const byName = new Map<string, DiffSeries[]>();
  for (const s of series) {
    const n = s.labels.__name__!;
    byName.set(n, [...(byName.get(n) ?? []), s]);
  }
  const lines: string[] = [];
  const num = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} unknown`);
    for (const s of list) {
      const ls = Object.entries(s.labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}="${v}"`).join(',');
      s.t.forEach((t, k) => lines.push(`${name}${ls ? `{${ls}}` : ''} ${num(s.v[k]!)} ${(t / 1000).toFixed(3)}`));
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
