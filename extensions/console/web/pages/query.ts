// A PromQL box like Prometheus' graph page: a chart over the chosen window and a table of the
// instant result, for whatever the fixed pages do not show.
import { ApiFailure, instant, range as rangeQuery } from '../api.js';
import { TimeChart } from '../chart.js';
import { h } from '../dom.js';
import { clock, durText, labelText } from '../format.js';
import type { Scope } from '../live.js';
import type { Page } from '../page.js';
import { bounds, rangeKeys, rangePicker, stepFor, type Window } from '../range.js';
import { SeriesCache } from '../series.js';

const MAX_SERIES = 50;

export const queryPage: Page = (() => {
  let win: Window = { range: 3600 };
  let setWindow: (w: Window) => void = () => {};
  let lastExpr = 'rate(system_cpu_time_seconds_total{state="user"}[1m])';
  return {
    id: 'query',
    title: 'Query',
    key: 'q',
    onKey: (e) => rangeKeys(e, () => win, (w) => setWindow(w)),
    mount(root: HTMLElement, scope: Scope, params: URLSearchParams) {
      if (params.get('expr')) lastExpr = params.get('expr')!;
      const box = h('textarea', { rows: 2, spellcheck: 'false', 'aria-label': 'PromQL expression', placeholder: 'PromQL, e.g. rate(system_network_io_bytes_total[5m])' });
      box.value = lastExpr;
      const run = h('button', { class: 'btn primary', type: 'submit' }, 'Execute');
      const err = h('div', { class: 'error', role: 'alert' });
      const status = h('div', { class: 'status-line' });
      const chartWrap = h('div', {});
      const table = h('div', { class: 'card' });
      const picker = rangePicker(() => win, (w) => setWindow(w));
      const form = h('form', { class: 'query-box', onsubmit: (e: Event) => (e.preventDefault(), void execute()) }, box, run);
      box.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !e.shiftKey) {
          e.preventDefault();
          void execute();
        }
      });
      root.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Query'), picker, status), form, err, chartWrap, h('h3', { style: 'margin:12px 0 6px' }, 'Instant result'), table);
      let chart: TimeChart | undefined;
      const cache = new SeriesCache();

      const execute = async () => {
        const expr = box.value.trim();
        if (!expr) return;
        lastExpr = expr;
        history.replaceState(null, '', `#/query?${new URLSearchParams({ expr })}`);
        err.textContent = '';
        const t0 = performance.now();
        const width = chartWrap.clientWidth || 800;
        const step = stepFor(win, width, 1);
        const { start, end } = bounds(win, step);
        try {
          const [inst, matrix] = await Promise.all([instant(expr, win.end), rangeQuery(expr, start, end, step).catch((e: unknown) => (e instanceof ApiFailure && /range query|scalar|string/.test(e.message) ? [] : Promise.reject(e)))]);
          // Table.
          if (inst.resultType === 'vector') {
            table.replaceChildren(
              inst.result.length === 0
                ? h('p', { class: 'status-line' }, 'empty result')
                : h('table', { class: 'list', 'data-rows': inst.result.length }, h('tr', {}, h('th', {}, 'series'), h('th', { class: 'num' }, 'value')), ...inst.result.map((r) => h('tr', {}, h('td', { class: 'mono' }, `${r.metric.__name__ ?? ''}{${labelText(r.metric, ['__name__'])}}`), h('td', { class: 'num mono' }, r.value[1])))),
            );
          } else if (inst.resultType === 'matrix') {
            table.replaceChildren(h('table', { class: 'list' }, ...inst.result.map((r) => h('tr', {}, h('td', { class: 'mono' }, `${r.metric.__name__ ?? ''}{${labelText(r.metric, ['__name__'])}}`), h('td', { class: 'mono' }, r.values.map(([t, v]) => `${v} @${clock(t * 1000)}`).join('\n'))))));
          } else table.replaceChildren(h('p', { class: 'mono' }, `${inst.resultType}: ${inst.result[1]}`));
          // Chart.
          cache.clear();
          const shown = matrix.slice(0, MAX_SERIES);
          for (const s of shown) cache.merge(`${s.metric.__name__ ?? ''}{${labelText(s.metric, ['__name__'])}}`, s.values);
          const { xs, series } = cache.aligned(start, end, step);
          if (!chart) {
            chart = new TimeChart({ title: 'Graph', unit: '', exprs: [expr], height: 260, onZoom: (min, max) => setWindow({ range: Math.max(60, Math.round(max - min)), end: Math.round(max) }) });
            chartWrap.replaceChildren(chart.el);
          }
          chart.el.dataset.exprs = JSON.stringify([expr]);
          chart.setData(xs, series, start, end);
          status.textContent = `${matrix.length} series${matrix.length > MAX_SERIES ? ` (first ${MAX_SERIES} drawn)` : ''} · step ${durText(step)} · ${Math.round(performance.now() - t0)} ms`;
        } catch (e) {
          err.textContent = (e as Error).message;
        }
      };
      setWindow = (w) => {
        win = w;
        picker.render();
        void execute();
      };
      void execute();
      box.focus();
      // Live: re-run while the window ends now.
      let first = true;
      scope.every(() => (win.end === undefined ? 15_000 : 0), async () => {
        if (first) return void (first = false);
        if (document.activeElement !== box) await execute();
      });
    },
  };
})();
