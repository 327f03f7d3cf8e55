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

/** One objective as the slo connector's GET /api/v1/slo gives it (connectors/slo/README.md). */
export interface Objective {
  connector: string;
  name: string;
  description: string;
  /** Percent of good events (99.9). */
  target: number;
  window: string;
  sli: { probe: string } | { error: string; total: string };
  /** The scaled window and its nominal (30-day) name; ratios null without events. */
  windows: { window: string; nominal: string; errorRatio: number | null; burnRate: number | null }[];
  /** 1 = untouched, 0 = spent, below 0 = overspent. */
  budgetRemaining: number;
  errorSeconds: number;
  budgetSeconds: number;
  breached: boolean;
  alerts: { severity: string; burnRate: number; longWindow: string; shortWindow: string; active: boolean }[];
  lastEvaluation: string | null;
}

/** An SLOErrorBudgetBurn alert of the objective, from the alerts connector's GET /api/v1/alerts. */
export interface Incident {
  fingerprint: string;
  state: string;
  labels: Record<string, string>;
  activeAt?: string;
  firedAt?: string;
  resolvedAt?: string;
}

const pct = (v: number) => `${(v * 100).toFixed(Math.abs(v) >= 0.1 ? 1 : 2)}%`;

/** One objective as a card. `course`: budget remaining over the last hours, when the history has it. */
export function objectiveCard(o: Objective, incidents: Incident[], course?: (number | null)[]): HTMLElement {
  const rem = o.budgetRemaining;
  const cls = rem < 0 ? 'bad' : rem < 0.25 ? 'warn' : 'ok';
  const sli = 'probe' in o.sli ? `failed probes of ${o.sli.probe}` : `${o.sli.error} / ${o.sli.total}`;
  const open = incidents.filter((i) => i.state !== 'resolved' && i.state !== 'inactive');
  const firing = o.alerts.filter((a) => a.active);
  return h(
    'div',
    { class: 'card slo', 'data-objective': o.name, 'data-remaining': String(rem), 'data-incidents': String(open.length), 'data-firing': String(firing.length) },
    h('div', { class: 'toolbar' }, h('h3', {}, o.name), h('span', { class: `badge ${rem < 0 || firing.some((a) => a.severity === 'page') ? 'bad' : firing.length || open.length ? 'warn' : 'ok'}` }, rem < 0 ? 'budget overspent' : firing.length ? `burning: ${firing.map((a) => a.severity).join(', ')}` : open.length ? `${open.length} open incident${open.length > 1 ? 's' : ''}` : 'within budget'), h('span', { class: 'status-line' }, `${o.target}% over ${o.window} · ${o.connector}${o.lastEvaluation ? ` · evaluated ${clock(Date.parse(o.lastEvaluation))}` : ' · not evaluated yet'}`)),
    o.description ? h('p', { class: 'status-line' }, o.description) : null,
    h('div', { class: 'status-line mono' }, `SLI: ${sli}`),
    h(
      'div',
      { class: 'row', style: 'align-items:center;gap:12px;margin:8px 0' },
      h('strong', { class: `budget ${cls}` }, `${pct(rem)} of the error budget left`),
      h('div', { class: 'meter', style: 'flex:1;min-width:80px', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(Math.max(0, rem) * 100)), 'aria-label': 'error budget remaining' }, h('div', { style: `width:${Math.max(0, Math.min(1, rem)) * 100}%;background:var(--${cls === 'ok' ? 'accent' : cls})` })),
      h('span', { class: 'status-line' }, `${fmt(o.errorSeconds, 'seconds')} of ${fmt(o.budgetSeconds, 'seconds')} spent`),
      course && course.filter((v) => v !== null).length >= 2 ? sparkline(course, { title: 'budget remaining over the last 6 hours' }) : null,
    ),
    // Windows across, as one reads burn rates: short to long; a burn rate at or above the lowest
    // alert factor of that window is marked.
    h(
      'table',
      { class: 'list burn', style: 'width:auto' },
      h('tr', {}, h('th', {}, 'window'), ...o.windows.map((w) => h('th', { class: 'num', 'data-window': w.window, title: w.nominal === w.window ? '' : `${w.nominal} for a 30-day objective` }, w.window))),
      h('tr', {}, h('td', {}, 'error ratio'), ...o.windows.map((w) => h('td', { class: 'num mono' }, w.errorRatio === null ? '–' : fmt(w.errorRatio, 'ratio')))),
      h('tr', {}, h('td', {}, 'burn rate'), ...o.windows.map((w) => {
        const factors = o.alerts.filter((a) => a.longWindow === w.window || a.shortWindow === w.window).map((a) => a.burnRate);
        const hot = w.burnRate !== null && factors.length > 0 && w.burnRate > Math.min(...factors);
        return h('td', { class: `num mono ${hot ? 'bad' : ''}`, 'data-burn': w.burnRate === null ? '' : String(w.burnRate) }, w.burnRate === null ? '–' : `${w.burnRate.toFixed(w.burnRate >= 10 ? 1 : 2)}×`);
      })),
    ),
    h('div', { class: 'status-line' }, `alerts: ${o.alerts.map((a) => `${a.severity} above ${a.burnRate}× over ${a.longWindow} and ${a.shortWindow}${a.active ? ' (burning)' : ''}`).join(', ') || 'none'}`),
    incidents.length === 0
      ? h('p', { class: 'status-line' }, 'No incidents.')
      : h(
          'table',
          { class: 'list incidents' },
          h('tr', {}, h('th', {}, 'incident'), h('th', {}, 'windows'), h('th', {}, 'state'), h('th', {}, 'since')),
          ...incidents.map((i) => {
            const at = i.firedAt ?? i.activeAt ?? '';
            return h(
              'tr',
              { 'data-fingerprint': i.fingerprint, 'data-state': i.state },
              h('td', {}, h('span', { class: `badge ${i.labels.severity === 'page' ? 'bad' : 'warn'}` }, i.labels.severity ?? '')),
              h('td', { class: 'mono' }, `${i.labels.long_window ?? '?'} / ${i.labels.short_window ?? '?'}`),
              h('td', {}, i.state),
              h('td', { title: at }, i.resolvedAt ? `${clock(Date.parse(at), true)} for ${since(at, Date.parse(i.resolvedAt))}` : `${clock(Date.parse(at), true)}, ${since(at)} ago`),
            );
          }),
        ),
  );
}

export function sloSection(el: HTMLElement, scope: Scope): void {
  let missing = false;
  let course = new Map<string, (number | null)[]>();
  let tick = 0;
  let haveAlerts = true;
  scope.every(5000, async (signal) => {
    if (missing) return;
    let objectives: Objective[];
    try {
      objectives = (await api<{ objectives: Objective[] }>('/api/v1/slo', { signal })).objectives;
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) {
        missing = true;
        el.replaceChildren(notice('No objectives', 'This agent tracks no SLOs. The slo connector keeps error budgets and burn-rate alerts from probes or PromQL ratios:', 'connectors:\n  slo:\n    objectives:\n      - {name: web, target: 99.9, window: 30d, probe: httpcheck/web}\nservice:\n  pipelines:\n    metrics/checks: {receivers: [httpcheck/web], exporters: [history, slo]}\n    metrics/slo: {receivers: [slo], exporters: [history, alerts]}'));
        return;
      }
      throw e;
    }
    // Incidents: the burn-rate alerts the alerts connector keeps (7 days of resolved ones).
    let alerts: Incident[] = [];
    if (objectives.length && haveAlerts) {
      try {
        alerts = (await api<{ alerts: (Incident & { alertname: string })[] }>('/api/v1/alerts?state=active,resolved', { signal })).alerts.filter((a) => a.alertname === 'SLOErrorBudgetBurn');
      } catch (e) {
        if (e instanceof ApiFailure && e.status === 404) haveAlerts = false;
        else throw e;
      }
    }
    // The course of the budget, every minute, from the history (absent: no sparkline).
    if (objectives.length && tick++ % 12 === 0) {
      const end = Math.floor(Date.now() / 1000);
      const rs = await rangeQuery('slo_error_budget_remaining_ratio', end - 6 * 3600, end, 300, signal).catch(() => []);
      course = new Map();
      for (const s of rs) {
        const by = new Map(s.values.map(([t, v]) => [Math.round(t), num(v)]));
        const xs: (number | null)[] = [];
        for (let t = end - 6 * 3600; t <= end; t += 300) xs.push(by.get(t) ?? null);
        course.set(s.metric.slo ?? '', xs);
      }
    }
    const newest = (i: Incident) => Date.parse(i.firedAt ?? i.activeAt ?? '') || 0;
    el.replaceChildren(
      ...(objectives.length
        ? objectives.map((o) => objectiveCard(o, alerts.filter((a) => a.labels.slo === o.name).sort((a, b) => newest(b) - newest(a)), course.get(o.name)))
        : [h('p', { class: 'status-line' }, 'The slo connector runs with no objectives.')]),
    );
  });
}
