// Logs: the templates the logpattern processor found (its log.template.count series in the
// history), new and rising ones first, with counts over the window; a click opens recent records
// of that template from a live tap of the logpattern processor.
import { api, num, range as rangeQuery } from '../api.js';
import { ACCUMULATOR_EXPIRY_S, stepCounts } from '../counts.js';
import { h } from '../dom.js';
import { clock, durText, fmt } from '../format.js';
import type { Scope } from '../live.js';
import { readTap, records, type Line } from '../otlp.js';
import { notice, type Page } from '../page.js';
import { bounds, rangePicker, type Window, nice } from '../range.js';
import { sparkline } from '../spark.js';

interface Row {
  id: string;
  template: string;
  count: number;
  previous: number;
  spark: (number | null)[];
}

/** New (nothing in the previous window) first, then by growth, then by count. */
export function rank(rows: Row[]): Row[] {
  const score = (r: Row) => (r.previous === 0 && r.count > 0 ? Infinity : r.count / Math.max(1, r.previous));
  return rows.sort((a, b) => score(b) - score(a) || b.count - a.count);
}

export const logsPage: Page = (() => {
  let win: Window = { range: 3600 };
  return {
    id: 'logs',
    title: 'Logs',
    key: 'l',
    mount(root: HTMLElement, scope: Scope) {
      const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
      const list = h('div', { class: 'card' });
      const side = h('div', {});
      const picker = rangePicker(() => win, (w) => ((win = w), picker.render(), void load()));
      root.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Log templates'), picker, status), h('div', { class: 'pipe-layout' }, list), side);
      let metric: string | undefined;
      let processor: string | undefined;
      let selected: string | undefined;
      let tapStop: AbortController | undefined;

      const findSources = async () => {
        const names = await api<string[]>('/api/v1/label/__name__/values');
        metric = names.find((n) => /^log_template_count(_total)?$/.test(n)) ?? names.find((n) => n.startsWith('log_template_count'));
        const p = await api<{ nodes: { key: string; type: string; kind: string; signals: string[]; pipeline?: string }[] }>('/api/v1/status/pipelines');
        processor = p.nodes.find((n) => n.kind === 'processor' && n.type === 'logpattern' && n.pipeline?.startsWith('logs'))?.key;
      };

      const openTemplate = (r: Row) => {
        selected = r.id;
        tapStop?.abort();
        const box = h('div', { class: 'tap-records', role: 'log' });
        const info = h('div', { class: 'status-line' }, processor ? `waiting for records of this template from ${processor}…` : 'no logpattern processor in a logs pipeline to tap');
        side.replaceChildren(h('div', { class: 'card panel', style: 'margin-top:12px' }, h('div', { class: 'toolbar' }, h('h3', {}, 'Recent records'), h('code', {}, r.template), h('span', { class: 'spacer' }), h('button', { class: 'btn ghost', 'aria-label': 'close', onclick: () => (tapStop?.abort(), side.replaceChildren(), (selected = undefined)) }, '✕')), info, box));
        if (!processor) return;
        tapStop = scope.abortable();
        const lines: Line[] = [];
        let seen = 0;
        readTap(`/api/v1/tap?component=${encodeURIComponent(processor)}&direction=out&types=logs`, tapStop.signal, (e) => {
          if (e.data === undefined || !e.signal) return;
          for (const l of records(e.signal, e.data)) {
            seen++;
            if (l.attributes?.['log.template.id'] === r.id || l.attributes?.['log.template'] === r.template) lines.push(l);
          }
          if (lines.length > 200) lines.splice(0, lines.length - 200);
          info.textContent = `${lines.length} matching of ${seen} sampled records`;
          box.replaceChildren(...lines.map((l) => h('div', {}, l.text)));
          box.dataset.count = String(lines.length);
        }).catch((err: Error) => {
          if (err.name !== 'AbortError') info.textContent = `tap: ${err.message}`;
        });
      };

      const load = async (signal?: AbortSignal) => {
        if (metric === undefined) await findSources();
        if (!metric) {
          list.replaceChildren(notice('No log templates in the history', 'The logpattern processor counts templates when emit_counts is on and its id is also in a metrics pipeline that ends in the history:', 'processors:\n  logpattern: {emit_counts: true}\nservice:\n  pipelines:\n    logs: {receivers: [filelog], processors: [logpattern], exporters: [file]}\n    # the same id in a metrics pipeline injects log.template.count there\n    metrics: {receivers: [hostmetrics], processors: [logpattern], exporters: [history]}'));
          return;
        }
        const w = durText(win.range);
        const step = nice(win.range / 30);
        const { start, end } = bounds(win, step);
        // One range query over this window, the one before (for "rising") and the accumulator's
        // expiry before that (to tell a new template from one that was idle); counted in the page.
        const fetchStart = start - win.range - Math.ceil(ACCUMULATOR_EXPIRY_S / step) * step;
        // Live, the last step is the one still filling (it ends after now): counts of this very
        // second are in. Each point holds the step that ends at it: (start, last] is this window.
        const last = win.end === undefined ? end + step : end;
        const series = await rangeQuery(`last_over_time(${metric}[${durText(step)}])`, fetchStart, last, step, signal);
        const byId = new Map<string, Row>();
        for (const s of series) {
          const id = s.metric.log_template_id ?? '';
          let r = byId.get(id);
          if (!r) byId.set(id, (r = { id, template: s.metric.log_template ?? id, count: 0, previous: 0, spark: Array.from({ length: Math.round((last - start) / step) }, () => 0) }));
          for (const [t, n] of stepCounts(s.values.map(([t, v]) => [t, num(v)] as [number, number]), fetchStart)) {
            if (t > start) {
              r.count += n;
              const i = Math.round((t - start) / step) - 1;
              if (i >= 0 && i < r.spark.length) r.spark[i]! += n;
            } else if (t > start - win.range) r.previous += n;
          }
        }
        const rows = [...byId.values()].filter((r) => r.count > 0);
        rank(rows);
        status.textContent = `${rows.length} templates in the last ${w} · updated ${clock(Date.now())}`;
        list.replaceChildren(
          rows.length === 0
            ? h('p', { class: 'status-line' }, 'No log records counted in this window.')
            : h('table', { class: 'list' }, h('tr', {}, h('th', {}, ''), h('th', {}, 'template'), h('th', { class: 'num' }, 'count'), h('th', { class: 'num hide-narrow' }, 'previous'), h('th', {}, 'over time')),
                ...rows.map((r) => {
                  const isNew = r.previous === 0;
                  const rising = !isNew && r.count > 2 * r.previous;
                  return h('tr', { class: 'clickable', tabindex: '0', 'data-template-id': r.id, 'aria-selected': String(r.id === selected), onclick: () => openTemplate(r), onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Enter' && openTemplate(r) },
                    h('td', {}, isNew ? h('span', { class: 'badge warn' }, 'new') : rising ? h('span', { class: 'badge warn' }, `×${(r.count / r.previous).toFixed(1)}`) : null),
                    h('td', { class: 'mono' }, r.template),
                    h('td', { class: 'num' }, fmt(r.count, 'count')),
                    h('td', { class: 'num hide-narrow' }, fmt(r.previous, 'count')),
                    h('td', {}, sparkline(r.spark, { title: `${r.template}: per ${durText(step)}` })));
                })),
        );
      };
      scope.every(() => (win.end === undefined ? 10_000 : 0), load);
    },
  };
})();
