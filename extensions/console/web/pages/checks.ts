// Checks and SLOs: every httpcheck/tcpcheck/systemd target with its status and a latency
// sparkline of its recent probes; every objective with budget remaining, burn rates and its
// incidents (the alerts it fired).
import { api, ApiFailure } from '../api.js';
import { h } from '../dom.js';
import { clock, since } from '../format.js';
import type { Scope } from '../live.js';
import { notice, type Page } from '../page.js';
import { sparkline } from '../spark.js';
import { sloSection } from './slos.js';

interface Target {
  receiver: string;
  kind: string;
  target: string;
  up?: boolean;
  lastProbe?: number;
  durationMs?: number;
  error?: string;
  detail: Record<string, string | number | boolean>;
  recent: { t: number; ok: boolean; ms: number }[];
  probes: number;
  failures: number;
}

export const checksPage: Page = {
  id: 'checks',
  title: 'Checks & SLOs',
  key: 'c',
  mount(root: HTMLElement, scope: Scope) {
    const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
    const checks = h('div', { class: 'card' });
    const slos = h('div', {});
    root.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Checks'), status), checks, h('div', { class: 'toolbar', style: 'margin-top:16px' }, h('h2', {}, 'Service level objectives')), slos);
    let haveChecks = true;
    scope.every(2000, async (signal) => {
      if (!haveChecks) return;
      let targets: Target[];
      try {
        targets = (await api<{ targets: Target[] }>('/api/v1/checks', { signal })).targets;
      } catch (e) {
        if (e instanceof ApiFailure && e.status === 404) {
          haveChecks = false;
          checks.replaceChildren(notice('No check receivers', 'This agent probes nothing. Add httpcheck, tcpcheck or systemd receivers to a metrics pipeline:', 'receivers:\n  httpcheck:\n    targets: [{endpoint: "http://127.0.0.1:8080/health"}]\n  tcpcheck:\n    targets: [{endpoint: "127.0.0.1:5432"}]\nservice:\n  pipelines:\n    metrics/checks: {receivers: [httpcheck, tcpcheck], exporters: [history]}'));
          return;
        }
        throw e;
      }
      targets.sort((a, b) => Number(a.up ?? true) - Number(b.up ?? true) || a.kind.localeCompare(b.kind) || a.target.localeCompare(b.target));
      const down = targets.filter((t) => t.up === false).length;
      status.textContent = `${targets.length} targets · ${down} down · updated ${clock(Date.now())}`;
      checks.replaceChildren(
        targets.length === 0
          ? h('p', { class: 'status-line' }, 'No targets probed yet.')
          : h(
              'table',
              { class: 'list' },
              h('tr', {}, h('th', {}, 'status'), h('th', {}, 'target'), h('th', { class: 'hide-narrow' }, 'receiver'), h('th', { class: 'num' }, 'latency'), h('th', {}, 'recent probes'), h('th', { class: 'hide-narrow' }, 'last probe'), h('th', { class: 'hide-narrow' }, 'detail')),
              ...targets.map((t) =>
                h(
                  'tr',
                  { 'data-target': t.target, 'data-up': String(t.up) },
                  h('td', {}, h('span', { class: `badge ${t.up === undefined ? 'idle' : t.up ? 'ok' : 'bad'}` }, t.up === undefined ? 'pending' : t.up ? 'up' : 'down')),
                  h('td', { class: 'mono' }, `${t.kind} ${t.target}`, t.error ? h('div', { class: 'bad' }, t.error) : null),
                  h('td', { class: 'hide-narrow' }, t.receiver),
                  h('td', { class: 'num mono' }, t.durationMs === undefined ? '–' : `${t.durationMs.toFixed(1)} ms`),
                  h('td', {}, sparkline(t.recent.map((p) => p.ms), { bad: t.recent.map((p) => !p.ok), title: `${t.recent.length} probes, ${t.failures} of ${t.probes} failed in all` })),
                  h('td', { class: 'hide-narrow' }, t.lastProbe ? `${since(new Date(t.lastProbe).toISOString())} ago` : '–'),
                  h('td', { class: 'hide-narrow' }, h('div', { class: 'labels' }, ...Object.entries(t.detail).slice(0, 6).map(([k, v]) => h('span', { class: 'label' }, `${k}=${v}`)))),
                ),
              ),
            ),
      );
    });
    sloSection(slos, scope);
  },
};
