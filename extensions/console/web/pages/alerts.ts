// Alerts: firing, pending, acknowledged and resolved alerts of the alerts connector, with labels,
// value, duration and history; Acknowledge (duration, comment) and Resolve do what
// `telemd alerts ack|resolve` does, through the same API; the silences an ack made are shown.
import { api, ApiFailure } from '../api.js';
import { h } from '../dom.js';
import { clock, fmt, since } from '../format.js';
import type { Scope } from '../live.js';
import { notice, type Page } from '../page.js';

interface Ack { by: string; at: string; until: string; comment?: string; silences?: { alertmanager: string; id?: string; state: string; error?: string }[] }
export interface Alert {
  fingerprint: string;
  alertname: string;
  state: 'pending' | 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: string;
  activeAt?: string;
  firedAt?: string;
  resolvedAt?: string;
  acknowledged?: Ack;
  closed?: { by: string; at: string; comment?: string };
  rule?: { group: string; name: string; expr: string; for?: string; severity?: string };
  history?: { at: string; event: string; value?: string; by?: string; comment?: string }[];
}

type Tab = 'firing' | 'pending' | 'acknowledged' | 'resolved';
const TABS: Tab[] = ['firing', 'pending', 'acknowledged', 'resolved'];

export function tabOf(a: Alert): Tab {
  if (a.state === 'resolved') return 'resolved';
  if (a.acknowledged && Date.parse(a.acknowledged.until) > Date.now()) return 'acknowledged';
  return a.state;
}

function dialog(title: string, fields: HTMLElement[], submit: string, onSubmit: (form: HTMLFormElement) => Promise<void>): void {
  const err = h('div', { class: 'error', role: 'alert' });
  const ok = h('button', { class: 'btn primary', type: 'submit' }, submit);
  const form = h('form', {}, ...fields, err, h('div', { class: 'row' }, h('button', { class: 'btn', type: 'button', onclick: () => modal.remove() }, 'Cancel'), ok));
  const modal = h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-label': title }, h('div', { class: 'card' }, h('h3', {}, title), form));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ok.disabled = true;
    onSubmit(form).then(
      () => modal.remove(),
      (x: Error) => {
        err.textContent = x.message;
        ok.disabled = false;
      },
    );
  });
  modal.addEventListener('keydown', (e) => e.key === 'Escape' && modal.remove());
  document.body.append(modal);
  (form.querySelector('select, input, textarea') as HTMLElement | null)?.focus();
}

export const alertsPage: Page = {
  id: 'alerts',
  title: 'Alerts',
  key: 'a',
  mount(root: HTMLElement, scope: Scope, params: URLSearchParams) {
    let tab: Tab = (TABS as string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'firing';
    const tabs = h('div', { class: 'tabs', role: 'tablist' });
    const list = h('div', { class: 'card', role: 'tabpanel' });
    const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
    const silences = h('div', { class: 'card silences' });
    root.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Alerts'), tabs, status), list, h('div', { class: 'toolbar', style: 'margin-top:16px' }, h('h2', {}, 'Silences')), silences);
    let alerts: Alert[] = [];
    const open = new Set<string>();

    const ack = (a: Alert) => {
      const dur = h('select', { name: 'for', 'aria-label': 'for how long' }, ...['30m', '1h', '4h', '12h', '1d', '7d'].map((d) => h('option', { value: d, selected: d === '4h' }, d)));
      const comment = h('textarea', { name: 'comment', rows: 2, placeholder: 'why (shown to others, sent with the silence)', 'aria-label': 'comment' });
      dialog(`Acknowledge ${a.alertname}`, [h('label', {}, 'Silence for ', dur), comment], 'Acknowledge', async () => {
        await api(`/api/v1/alerts/${encodeURIComponent(a.fingerprint)}/ack`, { method: 'POST', form: { for: dur.value, comment: comment.value } });
        await poll();
      });
    };
    const resolve = (a: Alert) => {
      const comment = h('textarea', { name: 'comment', rows: 2, placeholder: 'comment', 'aria-label': 'comment' });
      dialog(`Resolve ${a.alertname} by hand`, [h('p', { class: 'status-line' }, 'It is sent to Alertmanager as resolved now and stays resolved while its condition holds.'), comment], 'Resolve', async () => {
        await api(`/api/v1/alerts/${encodeURIComponent(a.fingerprint)}/resolve`, { method: 'POST', form: { comment: comment.value } });
        await poll();
      });
    };

    // The silences the acknowledgements made at each Alertmanager (the console talks to no
    // Alertmanager itself: the connector creates, replaces and expires them).
    const renderSilences = () => {
      const rows = alerts.flatMap((a) => (a.acknowledged?.silences ?? []).map((s) => ({ a, s })));
      if (rows.length === 0) return void silences.replaceChildren(h('p', { class: 'status-line' }, 'No silences: acknowledging an alert silences it at every Alertmanager the connector sends to.'));
      silences.replaceChildren(
        h('table', { class: 'list' },
          h('tr', {}, h('th', {}, 'alert'), h('th', {}, 'Alertmanager'), h('th', {}, 'silence'), h('th', {}, 'state'), h('th', {}, 'until'), h('th', {}, 'by')),
          ...rows.map(({ a, s }) =>
            h('tr', { 'data-fingerprint': a.fingerprint, 'data-silence': s.id ?? '', 'data-state': s.state },
              h('td', {}, a.alertname),
              h('td', { class: 'mono' }, s.alertmanager),
              h('td', { class: 'mono' }, s.id ?? '–'),
              h('td', {}, h('span', { class: `badge ${s.state === 'active' ? 'ok' : s.error ? 'bad' : 'idle'}` }, s.state), s.error ? h('div', { class: 'bad' }, s.error) : null),
              h('td', { title: a.acknowledged!.until }, clock(Date.parse(a.acknowledged!.until), true)),
              h('td', {}, [a.acknowledged!.by, a.acknowledged!.comment].filter(Boolean).join(': ')),
            ),
          ),
        ),
      );
    };

    const render = () => {
      renderSilences();
      const counts = new Map<Tab, number>(TABS.map((t) => [t, 0]));
      for (const a of alerts) counts.set(tabOf(a), counts.get(tabOf(a))! + 1);
      tabs.replaceChildren(
        ...TABS.map((t) =>
          h('button', { class: `btn${t === tab ? ' active' : ''}`, role: 'tab', 'aria-selected': String(t === tab), 'data-tab': t, onclick: () => ((tab = t), history.replaceState(null, '', `#/alerts?tab=${t}`), render()) }, `${t} (${counts.get(t)})`),
        ),
      );
      const shown = alerts.filter((a) => tabOf(a) === tab);
      if (shown.length === 0) return void list.replaceChildren(h('p', { class: 'status-line' }, `No ${tab} alerts.`));
      const rows = shown.flatMap((a) => {
        const sev = a.labels.severity ?? a.rule?.severity ?? 'warning';
        const cls = a.state === 'resolved' ? 'ok' : sev === 'critical' || sev === 'page' ? 'bad' : sev === 'info' ? 'idle' : 'warn';
        const main = h(
          'tr',
          { class: 'clickable', 'data-fingerprint': a.fingerprint, 'data-alertname': a.alertname },
          h('td', {}, h('button', { class: 'btn ghost', 'aria-expanded': String(open.has(a.fingerprint)), 'aria-label': 'details', onclick: () => (open.has(a.fingerprint) ? open.delete(a.fingerprint) : open.add(a.fingerprint), render()) }, open.has(a.fingerprint) ? '▾' : '▸')),
          h('td', {}, h('strong', {}, a.alertname), ' ', h('span', { class: `badge ${cls}` }, sev), h('div', { class: 'status-line' }, a.annotations.summary ?? '')),
          h('td', { class: 'hide-narrow' }, h('div', { class: 'labels' }, ...Object.entries(a.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => h('span', { class: 'label' }, `${k}=${v}`)))),
          h('td', { class: 'num mono', title: a.value }, fmt(Number(a.value), '')),
          h('td', { title: a.activeAt ?? '' }, a.state === 'resolved' ? `resolved ${since(a.resolvedAt)} ago` : `${a.state} for ${since(a.firedAt ?? a.activeAt)}`, a.acknowledged ? h('div', { class: 'status-line' }, `acked by ${a.acknowledged.by} until ${clock(Date.parse(a.acknowledged.until), true)}${a.acknowledged.comment ? `: ${a.acknowledged.comment}` : ''}`) : null),
          h(
            'td',
            {},
            a.state !== 'resolved' ? h('button', { class: 'btn', 'data-action': 'ack', onclick: () => ack(a) }, a.acknowledged ? 'Re-acknowledge' : 'Acknowledge') : null,
            ' ',
            a.state !== 'resolved' ? h('button', { class: 'btn danger', 'data-action': 'resolve', onclick: () => resolve(a) }, 'Resolve') : null,
          ),
        );
        if (!open.has(a.fingerprint)) return [main];
        const detail = h(
          'tr',
          {},
          h(
            'td',
            { colspan: 6 },
            h('dl', { class: 'kv' },
              h('dt', {}, 'fingerprint'), h('dd', {}, a.fingerprint),
              h('dt', {}, 'labels'), h('dd', {}, Object.entries(a.labels).map(([k, v]) => `${k}="${v}"`).join(', ')),
              ...Object.entries(a.annotations).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
              ...(a.rule ? [h('dt', {}, 'rule'), h('dd', {}, `${a.rule.group} / ${a.rule.name}: ${a.rule.expr}${a.rule.for ? ` for ${a.rule.for}` : ''}`)] : []),
              ...(a.closed ? [h('dt', {}, 'closed'), h('dd', {}, `by ${a.closed.by} at ${a.closed.at}${a.closed.comment ? `: ${a.closed.comment}` : ''}`)] : []),
              ...(a.acknowledged?.silences?.length ? [h('dt', {}, 'silences'), h('dd', { class: 'silences' }, ...a.acknowledged.silences.map((s) => h('div', {}, `${s.alertmanager}: ${s.id ?? '–'} (${s.state}${s.error ? `: ${s.error}` : ''})`)))] : []),
            ),
            h('table', { class: 'list' }, h('tr', {}, h('th', {}, 'when'), h('th', {}, 'event'), h('th', {}, 'value'), h('th', {}, 'by')), ...(a.history ?? []).slice().reverse().map((e) => h('tr', {}, h('td', {}, clock(Date.parse(e.at), true)), h('td', {}, e.event), h('td', { class: 'mono', title: e.value ?? '' }, e.value === undefined ? '' : fmt(Number(e.value), '')), h('td', {}, [e.by, e.comment].filter(Boolean).join(': '))))),
          ),
        );
        return [main, detail];
      });
      list.replaceChildren(h('table', { class: 'list' }, h('tr', {}, h('th', {}, ''), h('th', {}, 'alert'), h('th', { class: 'hide-narrow' }, 'labels'), h('th', { class: 'num' }, 'value'), h('th', {}, 'since'), h('th', {}, '')), ...rows));
    };

    let missing = false;
    const poll = async (signal?: AbortSignal) => {
      if (missing) return;
      try {
        alerts = (await api<{ alerts: Alert[] }>('/api/v1/alerts?state=all', { signal })).alerts;
      } catch (e) {
        if (e instanceof ApiFailure && e.status === 404) {
          missing = true;
          tabs.replaceChildren();
          list.replaceChildren(notice('No alerts connector', 'This agent evaluates no alert rules. Add the alerts connector (stock host rules, your Prometheus rule files, Alertmanager delivery):', 'connectors:\n  alerts:\n    stock_rules: true\nservice:\n  pipelines:\n    metrics: {receivers: [hostmetrics], exporters: [alerts]}\n    logs/alerts: {receivers: [alerts], exporters: [file]}'));
          return;
        }
        throw e;
      }
      status.textContent = `updated ${clock(Date.now())}`;
      if (!document.querySelector('.modal')) render();
    };
    scope.every(2000, poll);
  },
};
