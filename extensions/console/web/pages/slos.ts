// The SLO part of the Checks page (filled from the slo connector's API once it lands on main).
import { api, ApiFailure } from '../api.js';
import { h } from '../dom.js';
import type { Scope } from '../live.js';
import { notice } from '../page.js';

export function sloSection(el: HTMLElement, scope: Scope): void {
  let missing = false;
  scope.every(5000, async (signal) => {
    if (missing) return;
    try {
      const d = await api<{ objectives: { name: string }[] }>('/api/v1/slos', { signal });
      el.replaceChildren(h('div', { class: 'card' }, h('pre', {}, JSON.stringify(d, null, 2))));
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) {
        missing = true;
        el.replaceChildren(notice('No objectives', 'This agent tracks no SLOs. The slo connector computes error budgets and burn-rate alerts from probes or PromQL ratios.'));
        return;
      }
      throw e;
    }
  });
}
