// The SLO API on the console's listener (token-protected there): the objectives now, and the
// report over a period, for `telemd slo report` and the console's Checks/SLO page.
import { registerConsoleRoutes } from '../../src/console/routes.js';
import { ApiError, type JsonRoute } from '../../src/console/api.js';
import type { SloEngine } from './engine.js';

const engines = new Set<SloEngine>();
let unregister: (() => void) | undefined;

/** RFC 3339, Unix seconds, or empty (default). */
export function parseTime(v: string | null | undefined, dflt: number, name: string): number {
  if (v === null || v === undefined || v === '') return dflt;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new ApiError('bad_data', `${name}: ${JSON.stringify(v)} is not a time (RFC 3339 or Unix seconds)`);
  return t;
}

const ROUTES: JsonRoute[] = [
  {
    method: 'GET',
    path: '/api/v1/slo',
    access: 'read',
    description: 'SLO objectives: error ratio and burn rate per window, budget remaining, burn-rate alert conditions',
    handle: () => ({ data: { objectives: [...engines].flatMap((e) => e.status()) } }),
  },
  {
    method: 'GET',
    path: '/api/v1/slo/report',
    access: 'read',
    description: 'SLO report over ?from=&to= (RFC 3339 or Unix seconds; default the last objective window): availability, budget consumed, time in breach',
    handle: (req) => {
      const now = Date.now();
      const to = parseTime(req.form.get('to'), now, 'to');
      const out = [...engines].flatMap((e) => {
        const from = req.form.get('from');
        return e.objectives.map((o, i) => e.report(parseTime(from, to - o.periodMs, 'from'), to)[i]!);
      });
      for (const r of out) if (Date.parse(r.from) >= Date.parse(r.to)) throw new ApiError('bad_data', 'from must be before to');
      return { data: { objectives: out } };
    },
  },
];

export function serve(e: SloEngine): () => void {
  engines.add(e);
  unregister ??= registerConsoleRoutes('slo', ROUTES);
  return () => {
    engines.delete(e);
    if (engines.size === 0 && unregister) {
      unregister();
      unregister = undefined;
    }
  };
}
