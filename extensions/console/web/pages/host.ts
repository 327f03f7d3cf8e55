// Host: live charts of what this host's history holds (CPU, memory, load, disks, filesystems with
// their time-to-full forecast, network, processes, paging), anomaly onsets marked on the chart of
// their metric. A chart appears only when its metrics exist and return data.
import { api, ApiFailure, batch, matrixOf, num, range as rangeQuery, vectorOf, type BatchQuery } from '../api.js';
import { TimeChart, type Forecast, type Marker } from '../chart.js';
import { h } from '../dom.js';
import { clock, duration, durText, type Unit } from '../format.js';
import type { Scope } from '../live.js';
import { notice, type Page } from '../page.js';
import { bounds, rangeKeys, rangePicker, rateWindow, stepFor, type Window } from '../range.js';
import { SeriesCache } from '../series.js';

interface Query {
  expr: (rate: string) => string;
  legend: readonly string[];
  /** Fixed legend (a query per line, such as load 1m/5m/15m). */
  name?: string;
}

interface Def {
  id: string;
  title: string;
  unit: Unit;
  needs: readonly string[];
  queries: readonly Query[];
  yMax?: number;
  /** Hidden while every value in the window is 0 (errors, drops: nothing to show is good news). */
  hideIfZero?: boolean;
  forecast?: boolean;
  /** Values as a percentage of the sum of all series at each step, these series not drawn. */
  share?: { hide: readonly string[] };
  /** One series per value of this label (bind mounts of one device: the shortest mountpoint). */
  dedupe?: string;
}

// Gauges are read with last_over_time over the rate window rather than as bare selectors: a bare
// selector looks back 5 minutes at every step (the engine decodes all of it, twice the cost of
// the whole chart at 1 s), and a live chart should show a gap, not a 5-minute-old value.
const NOT_VIRTUAL_DISK = 'device!~"loop.*|ram.*|zram.*|sr.*"';

export /** Charts a full load draws first (the ones a reader looks for, and the page's first row). */
const HEADLINE = new Set(['cpu', 'memory', 'filesystem', 'network']);

const DEFS: readonly Def[] = [
  {
    // One rate per state; the shares of the total are taken here (a second rate() over every CPU
    // series for the total, in PromQL, doubled what this chart costs the agent per poll).
    id: 'cpu', title: 'CPU by state', unit: 'percent', yMax: 100, needs: ['system_cpu_time_seconds_total'], share: { hide: ['idle'] },
    queries: [{ expr: (r) => `sum by (state) (rate(system_cpu_time_seconds_total[${r}]))`, legend: ['state'] }],
  },
  { id: 'memory', title: 'Memory', unit: 'bytes', needs: ['system_memory_usage_bytes'], queries: [{ expr: (r) => `sum by (state) (last_over_time(system_memory_usage_bytes[${r}]))`, legend: ['state'] }] },
  {
    id: 'load', title: 'Load average', unit: '', needs: ['system_cpu_load_average_1m'],
    queries: [
      { expr: (r) => `last_over_time(system_cpu_load_average_1m[${r}])`, legend: [], name: '1m' },
      { expr: (r) => `last_over_time(system_cpu_load_average_5m[${r}])`, legend: [], name: '5m' },
      { expr: (r) => `last_over_time(system_cpu_load_average_15m[${r}])`, legend: [], name: '15m' },
    ],
  },
  {
    id: 'filesystem', title: 'Filesystems used', unit: 'percent', yMax: 100, forecast: true, needs: ['system_filesystem_usage_bytes'],
    dedupe: 'device',
    queries: [{ expr: (r) => `100 * sum by (device, mountpoint) (last_over_time(system_filesystem_usage_bytes{state="used"}[${r}])) / (sum by (device, mountpoint) (last_over_time(system_filesystem_usage_bytes{state=~"used|free"}[${r}])) > 0)`, legend: ['mountpoint'] }],
  },
  {
    id: 'disk-io', title: 'Disk I/O', unit: 'bytes/s', needs: ['system_disk_io_bytes_total'],
    queries: [{ expr: (r) => `sum by (device, direction) (rate(system_disk_io_bytes_total{${NOT_VIRTUAL_DISK}}[${r}]))`, legend: ['device', 'direction'] }],
  },
  {
    id: 'disk-util', title: 'Disk utilisation', unit: 'percent', yMax: 100, needs: ['system_disk_io_time_seconds_total'],
    queries: [{ expr: (r) => `100 * sum by (device) (rate(system_disk_io_time_seconds_total{${NOT_VIRTUAL_DISK}}[${r}]))`, legend: ['device'] }],
  },
  {
    id: 'network', title: 'Network', unit: 'bytes/s', needs: ['system_network_io_bytes_total'],
    queries: [{ expr: (r) => `sum by (device, direction) (rate(system_network_io_bytes_total{device!="lo"}[${r}]))`, legend: ['device', 'direction'] }],
  },
  {
    id: 'network-errors', title: 'Network errors and drops', unit: 'ops/s', hideIfZero: true, needs: ['system_network_errors_total', 'system_network_dropped_total'],
    queries: [
      { expr: (r) => `sum by (device, direction) (rate(system_network_errors_total{device!="lo"}[${r}]))`, legend: ['device', 'direction'], name: 'errors' },
      { expr: (r) => `sum by (device, direction) (rate(system_network_dropped_total{device!="lo"}[${r}]))`, legend: ['device', 'direction'], name: 'drops' },
    ],
  },
  { id: 'processes', title: 'Processes', unit: 'count', needs: ['system_processes_count'], queries: [{ expr: (r) => `sum by (status) (last_over_time(system_processes_count[${r}]))`, legend: ['status'] }] },
  { id: 'forks', title: 'Processes created', unit: 'ops/s', needs: ['system_processes_created_total'], queries: [{ expr: (r) => `sum(rate(system_processes_created_total[${r}]))`, legend: [], name: 'created' }] },
  {
    id: 'paging', title: 'Paging', unit: 'ops/s', needs: ['system_paging_operations_total'], hideIfZero: true,
    queries: [{ expr: (r) => `sum by (direction, type) (rate(system_paging_operations_total[${r}]))`, legend: ['type', 'direction'] }],
  },
];

function seriesLabel(q: Query, m: Record<string, string>): string {
  const parts = q.legend.map((k) => m[k]).filter((v): v is string => !!v);
  return [q.name, ...parts].filter(Boolean).join(' ') || m.__name__ || 'value';
}

/** 100 × each series / the sum of all at that step; `hide` are counted in the sum, not returned. */
export function shares(series: { label: string; values: (number | null)[] }[], hide: readonly string[]): { label: string; values: (number | null)[] }[] {
  const n = series[0]?.values.length ?? 0;
  const total = Array.from({ length: n }, (_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  return series.filter((s) => !hide.includes(s.label)).map((s) => ({ label: s.label, values: s.values.map((v, i) => (v === null || !(total[i]! > 0) ? null : (100 * v) / total[i]!)) }));
}

function dedupe<T extends { metric: Record<string, string> }>(rs: T[], by: string | undefined): T[] {
  if (!by) return rs;
  const keep = new Map<string, T>();
  for (const r of rs) {
    const k = r.metric[by] ?? '';
    const had = keep.get(k);
    if (!had || (r.metric.mountpoint ?? '').length < (had.metric.mountpoint ?? '').length) keep.set(k, r);
  }
  return [...keep.values()];
}

interface Live {
  def: Def;
  chart: TimeChart;
  cache: SeriesCache;
  shown: boolean;
}

export const hostPage: Page = (() => {
  let win: Window = { range: 300 };
  let setWindow: (w: Window) => void = () => {};
  return {
    id: 'host',
    title: 'Host',
    key: 'h',
    onKey: (e) => rangeKeys(e, () => win, (w) => setWindow(w)),
    mount(root: HTMLElement, scope: Scope, params: URLSearchParams) {
      const r = params.get('range');
      if (r) {
        const found = [300, 900, 3600, 21600, 86400, 604800].find((x) => durText(x) === r);
        if (found) win = { range: found };
      }
      const status = h('div', { class: 'status-line', 'aria-live': 'polite' }, 'loading…');
      const grid = h('div', { class: 'grid' });
      const picker = rangePicker(() => win, (w) => setWindow(w));
      root.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Host'), picker, status), grid);
      const charts: Live[] = [];
      let names = new Set<string>();
      let resolution = 10;
      let last: { start: number; end: number; step: number; range: number; fixed?: number } | undefined;
      let markers: Marker[] = [];
      let forecastBy: Map<string, { ttf: number }> | undefined;
      let alertsApi = true;
      let tick = 0;
      let gen = 0;

      const discover = async () => {
        // A reload within a minute reuses what the last load found (one round trip less, twice).
        const cached = JSON.parse(sessionStorage.getItem('telemd.host.discovery') ?? 'null') as { at: number; names: string[]; resolution: number } | null;
        const fresh = cached !== null && Date.now() - cached.at < 60_000;
        names = new Set(fresh ? cached.names : await api<string[]>('/api/v1/label/__name__/values'));
        if (names.size === 0) {
          grid.replaceChildren(notice('No history yet', 'This agent keeps no metrics history, or none has arrived. Add the history exporter to a metrics pipeline with hostmetrics:', 'exporters:\n  history:\nservice:\n  pipelines:\n    metrics: {receivers: [hostmetrics], exporters: [history]}'));
          return false;
        }
        // The collection interval: the spacing of one host series' sample timestamps over the last minute.
        const probe = ['system_cpu_load_average_1m', 'system_memory_usage_bytes', 'system_cpu_time_seconds_total'].find((n) => names.has(n));
        if (fresh) resolution = cached.resolution;
        else if (probe) {
          const now = Math.floor(Date.now() / 1000);
          const rs = await rangeQuery(`max(timestamp(${probe}))`, now - 60, now, 1).catch(() => []);
          const ts = [...new Set((rs[0]?.values ?? []).map(([, v]) => Math.round(num(v) * 1000)))].sort((a, b) => a - b);
          const gaps = ts.slice(1).map((t, i) => t - ts[i]!).sort((a, b) => a - b);
          if (gaps.length) resolution = Math.max(1, Math.round(gaps[Math.floor(gaps.length / 2)]! / 1000));
        }
        if (!fresh) sessionStorage.setItem('telemd.host.discovery', JSON.stringify({ at: Date.now(), names: [...names], resolution }));
        for (const def of DEFS) {
          if (!def.needs.some((n) => names.has(n))) continue;
          const live: Live = {
            def,
            cache: new SeriesCache(),
            shown: false,
            chart: new TimeChart({
              title: def.title,
              unit: def.unit,
              yMax: def.yMax,
              exprs: def.queries.map((q) => q.expr('$rate')),
              onZoom: (min, max) => setWindow({ range: Math.max(60, Math.round(max - min)), end: Math.round(max) }),
            }),
          };
          live.chart.el.dataset.chart = def.id;
          charts.push(live);
        }
        return true;
      };

      const loadMarkers = async () => {
        if (!alertsApi) return;
        try {
          const d = await api<{ alerts: { alertname: string; labels: Record<string, string>; activeAt?: string; history?: { at: string; event: string }[] }[] }>('/api/v1/alerts?state=active,resolved');
          const out: Marker[] = [];
          for (const a of d.alerts) {
            const metric = a.labels.anomaly_metric;
            if (!metric) continue;
            const onsets = new Set<string>();
            if (a.activeAt) onsets.add(a.activeAt);
            for (const e of a.history ?? []) if (e.event === 'firing' || e.event === 'pending') onsets.add(e.at);
            for (const at of onsets) out.push({ t: Date.parse(at) / 1000, label: `${metric} anomaly` });
          }
          markers = out;
        } catch (err) {
          if (err instanceof ApiFailure && err.status === 404) alertsApi = false;
        }
      };

      const widthPx = () => grid.querySelector('.chart-body')?.clientWidth || Math.min(window.innerWidth, 700);

      const refresh = async (signal?: AbortSignal) => {
        const my = ++gen;
        const t0 = performance.now();
        const step = stepFor(win, widthPx(), resolution);
        const { start, end } = bounds(win, step);
        const rate = rateWindow(step, resolution);
        const same = last && last.step === step && last.range === win.range && last.fixed === win.end;
        const from = same && last ? Math.max(start, last.end - 2 * step) : start;
        if (same && last && end === last.end && win.end !== undefined) return;
        const markersLoaded = tick++ % 10 === 0 ? loadMarkers() : undefined;
        const ahead = win.range * 0.25;
        // Every chart's queries (and the forecast, every few polls) in one request. A full load
        // asks the headline charts first: they draw while the agent answers the rest.
        const passes: ((c: Live) => boolean)[] = same ? [() => true] : [(c) => HEADLINE.has(c.def.id), (c) => !HEADLINE.has(c.def.id)];
        for (const part of passes) {
          const queries: BatchQuery[] = [];
          // A chart hidden because all its values are 0 (errors, drops) is asked again every 10th poll only.
          const skip = (c: Live) => !part(c) || (same && c.def.hideIfZero && !c.shown && tick % 10 !== 1);
          const slots = charts.map((c) => (skip(c) ? [] : c.def.queries.map((q) => queries.push({ query: q.expr(rate), start: from, end, step }) - 1)));
          const fc = charts.find((c) => c.def.forecast);
          const wantForecast = fc !== undefined && part(fc) && names.has('system_filesystem_usage_time_to_full_seconds') && win.end === undefined && (!same || tick % 5 === 1);
          const fcSlot = wantForecast ? queries.push({ query: 'min by (mountpoint) (system_filesystem_usage_time_to_full_seconds and on (device, mountpoint) (system_filesystem_usage_time_to_full_confidence_ratio >= 0.5))' }) - 1 : -1;
          const results = await batch(queries, signal);
          await markersLoaded;
          if (my !== gen) return;
          if (fcSlot >= 0) {
            forecastBy = new Map();
            for (const s of vectorOf(results[fcSlot])) if (s.metric.mountpoint) forecastBy.set(s.metric.mountpoint, { ttf: num(s.value[1]) });
          } else if (win.end !== undefined) forecastBy = undefined;
          await Promise.all(
            charts.map(async (c, ci) => {
              if (skip(c)) return;
              const failed = slots[ci]!.map((i) => results[i]).find((r) => r?.status === 'error');
              if (failed && failed.status === 'error') c.chart.el.dataset.error = failed.error;
              if (!same) c.cache.clear();
              c.def.queries.forEach((q, qi) => {
                for (const s of dedupe(matrixOf(results[slots[ci]![qi]!]), c.def.dedupe)) c.cache.merge(seriesLabel(q, s.metric), s.values);
              });
              c.cache.trim(start);
              const aligned = c.cache.aligned(start, end, step);
              const xs = aligned.xs;
              const series = c.def.share ? shares(aligned.series, c.def.share.hide) : aligned.series;
              const empty = series.length === 0 || (c.def.hideIfZero && series.every((s) => s.values.every((v) => v === null || v === 0)));
              if (empty) {
                if (c.shown) c.chart.el.remove();
                c.shown = false;
                return;
              }
              const forecasts: Forecast[] = [];
              if (c.def.forecast && forecastBy) {
                series.forEach((s, i) => {
                  const f = forecastBy!.get(s.label);
                  if (!f || !Number.isFinite(f.ttf) || f.ttf <= 0) return;
                  let j = s.values.length - 1;
                  while (j >= 0 && s.values[j] === null) j--;
                  if (j < 0) return;
                  const y0 = s.values[j]!;
                  forecasts.push({ x0: xs[j]!, y0, x1: xs[j]! + f.ttf, y1: 100, series: i, label: `${s.label} full in ${duration(f.ttf)}` });
                });
              }
              c.chart.setForecasts(forecasts);
              c.chart.setMarkers(markers.filter((m) => c.def.needs.some((n) => m.label.startsWith(`${n} `))));
              if (!c.shown) {
                // Keep the order of DEFS whatever answers first.
                const after = charts.slice(charts.indexOf(c) + 1).find((o) => o.shown);
                grid.insertBefore(c.chart.el, after ? after.chart.el : null);
                c.shown = true;
              }
              c.chart.el.dataset.queries = JSON.stringify(c.def.queries.map((q) => ({ expr: q.expr(rate), name: q.name, legend: q.legend, ...(c.def.share ? { share: c.def.share } : {}) })));
              c.chart.setData(xs, series, start, end + (forecasts.length ? ahead : 0));
            }),
          );
        }
        if (my !== gen) return;
        last = { start, end, step, range: win.range, fixed: win.end };
        const ms = Math.round(performance.now() - t0);
        root.dataset.window = `${win.range}:${win.end ?? 'live'}`;
        root.dataset.drawMs = String(ms);
        status.textContent = `${charts.filter((c) => c.shown).length} charts · resolution ${durText(resolution)} · step ${durText(step)} · rate[${rate}] · ${win.end === undefined ? `live, updated ${clock(Date.now())}` : `until ${clock(win.end * 1000, true)}`} · ${ms} ms`;
        if (!charts.some((c) => c.shown) && charts.length) grid.replaceChildren(notice('No host metrics in the window', 'The history has series, but none of the host charts (hostmetrics) returned data in this time range.'));
      };

      let stopPoll: (() => void) | undefined;
      const startPoll = () => {
        stopPoll?.();
        stopPoll = scope.every(() => (win.end === undefined ? Math.max(1000, stepFor(win, widthPx(), resolution) * 1000) : 0), (sig) => refresh(sig));
      };
      setWindow = (w) => {
        win = w;
        picker.render();
        const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
        q.set('range', durText(w.range));
        history.replaceState(null, '', `#/host?${q}`);
        startPoll();
      };
      void discover().then((ok) => {
        if (ok && !scope.closed) startPoll();
      }, (err) => status.replaceChildren(`error: ${(err as Error).message}`));
    },
  };
})();
