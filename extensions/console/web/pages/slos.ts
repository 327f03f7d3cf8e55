// The SLO part of the Checks page: every objective of the slo connector (GET /api/v1/slo) with
// its budget remaining (and its course over the last hours from the history when the connector's
// metrics go there), the error ratio and burn rate of each alert window against the alerts'
// factors, and its incidents (the burn-rate alerts it fired).
import { api, ApiFailure, num, range as rangeQuery } from '../api.js';
import { h } from '../dom.js';
import { clock, fmt, since } from '../format.js';
import type { Scope } from '../live.js';
import { notice } from '../page.js';
import { sparkline } from '../spark.js';

export interface Objective {
  name: string;
  description: string;
  /** Percent of good events (99.9). */
  target: number;
  window: string;
  budgeting_method: string;
  sli: { probe?: string; error?: string; total?: string };
  /** 1 = untouched, 0 = spent, below 0 = overspent. */
  budget_remaining: number;
  windows: { window: string; error_ratio: number | null; burn_rate: number | null }[];
  alerts: { severity: string; factor: number }[];
  incidents: { fingerprint: string; severity: string; long: string; short: string; state: string; activeAt: string; firedAt?: string; resolvedAt?: string }[];
}

const pct = (v: number) => `${(v * 100).toFixed(Math.abs(v) >= 0.1 ? 1 : 2)}%`;

/** One objective as a card. `course`: budget remaining over the last hours, when the history has it. */
export function objectiveCard(o: Objective, course?: (number | null)[]): HTMLElement {
  const rem = o.budget_remaining;
  const cls = rem < 0 ? 'bad' : rem < 0.25 ? 'warn' : 'ok';
  const minFactor = Math.min(...o.alerts.map((a) => a.factor));
  const sli = o.sli.probe ? `probes of ${o.sli.probe}` : `${o.sli.error ?? ''} / ${o.sli.total ?? ''}`;
  const open = o.incidents.filter((i) => i.state !== 'resolved' && i.state !== 'inactive');
  return h(
    'div',
    { class: 'card slo', 'data-objective': o.name, 'data-remaining': String(rem), 'data-incidents': String(open.length) },
    h('div', { class: 'toolbar' }, h('h3', {}, o.name), h('span', { class: `badge ${rem < 0 || open.some((i) => i.severity === 'page') ? 'bad' : open.length ? 'warn' : 'ok'}` }, rem < 0 ? 'budget overspent' : open.length ? `${open.length} open incident${open.length > 1 ? 's' : ''}` : 'within budget'), h('span', { class: 'status-line' }, `${o.target}% over ${o.window} (${o.budgeting_method})`)),
    o.description ? h('p', { class: 'status-line' }, o.description) : null,
    h('div', { class: 'status-line mono' }, `SLI: ${sli}`),
    h(
      'div',
      { class: 'row', style: 'align-items:center;gap:12px;margin:8px 0' },
      h('strong', { class: `budget ${cls}` }, `${pct(rem)} of the error budget left`),
      h('div', { class: 'meter', style: 'flex:1;min-width:80px', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(Math.max(0, rem) * 100)), 'aria-label': 'error budget remaining' }, h('div', { style: `width:${Math.max(0, Math.min(1, rem)) * 100}%;background:var(--${cls === 'ok' ? 'accent' : cls})` })),
      course && course.filter((v) => v !== null).length >= 2 ? sparkline(course, { title: 'budget remaining over the last 6 hours' }) : null,
    ),
    // Windows across, as one reads burn rates: short to long.
    h(
      'table',
      { class: 'list burn', style: 'width:auto' },
      h('tr', {}, h('th', {}, 'window'), ...o.windows.map((w) => h('th', { class: 'num', 'data-window': w.window }, w.window))),
      h('tr', {}, h('td', {}, 'error ratio'), ...o.windows.map((w) => h('td', { class: 'num mono' }, w.error_ratio === null ? '–' : fmt(w.error_ratio, 'ratio')))),
      h('tr', {}, h('td', {}, 'burn rate'), ...o.windows.map((w) => h('td', { class: `num mono ${w.burn_rate !== null && w.burn_rate >= minFactor ? 'bad' : ''}` }, w.burn_rate === null ? '–' : `${w.burn_rate.toFixed(w.burn_rate >= 10 ? 1 : 2)}×`))),
    ),
    h('div', { class: 'status-line' }, `alerts: ${o.alerts.map((a) => `${a.severity} at ${a.factor}×`).join(', ') || 'none'}`),
    o.incidents.length === 0
      ? h('p', { class: 'status-line' }, 'No incidents.')
      : h(
          'table',
          { class: 'list incidents' },
          h('tr', {}, h('th', {}, 'incident'), h('th', {}, 'windows'), h('th', {}, 'state'), h('th', {}, 'since')),
          ...o.incidents
            .slice()
            .reverse()
            .map((i) =>
              h(
                'tr',
                { 'data-fingerprint': i.fingerprint, 'data-state': i.state },
                h('td', {}, h('span', { class: `badge ${i.severity === 'page' ? 'bad' : 'warn'}` }, i.severity)),
                h('td', { class: 'mono' }, `${i.long} / ${i.short}`),
                h('td', {}, i.state),
                h('td', { title: i.activeAt }, i.resolvedAt ? `${clock(Date.parse(i.firedAt ?? i.activeAt), true)} for ${since(i.firedAt ?? i.activeAt, Date.parse(i.resolvedAt))}` : `${clock(Date.parse(i.firedAt ?? i.activeAt), true)}, ${since(i.firedAt ?? i.activeAt)} ago`),
              ),
            ),
        ),
  );
}

export function sloSection(el: HTMLElement, scope: Scope): void {
  let missing = false;
  let course = new Map<string, (number | null)[]>();
  let tick = 0;
  scope.every(5000, async (signal) => {
    if (missing) return;
    let objectives: Objective[];
    try {
      objectives = (await api<{ objectives: Objective[] }>('/api/v1/slo', { signal })).objectives;
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) {
        missing = true;
        el.replaceChildren(notice('No objectives', 'This agent tracks no SLOs. The slo connector keeps error budgets and burn-rate alerts from probes or PromQL ratios:', 'connectors:\n  slo:\n    objectives:\n      - {name: web, target: 99.9, window: 30d, sli: {probe: httpcheck/web}}\nservice:\n  pipelines:\n    metrics/checks: {receivers: [httpcheck/web], exporters: [history, slo]}\n    metrics/slo: {receivers: [slo], exporters: [history]}'));
        return;
      }
      throw e;
    }
    // The course of the budget, every minute, from the history (absent: no sparkline).
    if (objectives.length && tick++ % 12 === 0) {
      const end = Math.floor(Date.now() / 1000);
      const rs = await rangeQuery('{__name__=~"slo_error_budget_remaining(_ratio)?"}', end - 6 * 3600, end, 300, signal).catch(() => []);
      course = new Map();
      for (const s of rs) {
        const by = new Map(s.values.map(([t, v]) => [Math.round(t), num(v)]));
        const xs: (number | null)[] = [];
        for (let t = end - 6 * 3600; t <= end; t += 300) xs.push(by.get(t) ?? null);
        course.set(s.metric.slo ?? '', xs);
      }
    }
    el.replaceChildren(...(objectives.length ? objectives.map((o) => objectiveCard(o, course.get(o.name))) : [h('p', { class: 'status-line' }, 'The slo connector runs with no objectives.')]));
  });
}
