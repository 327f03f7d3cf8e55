// The alerts API on the console's listener (token-protected there): list, acknowledge, resolve,
// and the rules. Every running alerts connector is served by one set of routes.
import { registerConsoleRoutes } from '../../src/console/routes.js';
import { ApiError, type ApiRequest, type JsonRoute } from '../../src/console/api.js';
import { parseDuration } from '../../src/promql/durations.js';
import { ActionError, type ActionInput, type AlertsEngine } from './engine.js';
import type { AlertView } from './records.js';

const engines = new Set<AlertsEngine>();
let unregister: (() => void) | undefined;

const STATES = ['pending', 'firing', 'acknowledged', 'resolved', 'active'] as const;

/** `?state=` values (repeated or comma-separated): pending, firing, acknowledged, resolved, active. */
export function stateFilter(values: string[]): ((a: AlertView) => boolean) | undefined {
  const wanted = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '' && v !== 'all');
  if (wanted.length === 0) return undefined;
  for (const w of wanted) if (!(STATES as readonly string[]).includes(w)) throw new ApiError('bad_data', `state: unknown state ${JSON.stringify(w)} (${STATES.join(', ')})`);
  return (a) =>
    wanted.some((w) =>
      w === 'active' ? a.state !== 'resolved' : w === 'acknowledged' ? a.acknowledged !== undefined && a.state !== 'resolved' : w === a.state,
    );
}

function field(req: ApiRequest, name: string): string | undefined {
  const b = req.body;
  if (b && typeof b === 'object' && name in b) {
    const v = (b as Record<string, unknown>)[name];
    return v === undefined || v === null ? undefined : String(v);
  }
  return req.form.get(name) ?? undefined;
}

function input(req: ApiRequest): ActionInput {
  const forText = field(req, 'for');
  let forMs: number | undefined;
  if (forText !== undefined && forText !== '') {
    const d = parseDuration(forText);
    if (typeof d !== 'number' || d <= 0) throw new ApiError('bad_data', `for: ${JSON.stringify(forText)} is not a duration such as 30m, 4h, 2d`);
    forMs = d;
  }
  return { by: field(req, 'by'), comment: field(req, 'comment'), forMs, principal: req.principal.name };
}

function act<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ActionError) throw new ApiError(e.kind === 'conflict' ? 'bad_data' : e.kind, e.message, e.kind === 'conflict' ? 409 : undefined);
    throw e;
  }
}

/** Runs `fn` on the engine that has the alert (several alerts connectors may run). */
function onOwner<T>(fp: string, fn: (e: AlertsEngine) => T): T {
  let last: unknown;
  for (const e of engines) {
    try {
      return fn(e);
    } catch (err) {
      if (!(err instanceof ActionError) || err.kind !== 'not_found') return act(() => {
        throw err;
      });
      last = err;
    }
  }
  return act(() => {
    throw last ?? new ActionError('not_found', `no alert with fingerprint or name ${fp}`);
  });
}

const ROUTES: JsonRoute[] = [
  {
    method: 'GET',
    path: '/api/v1/alerts',
    access: 'read',
    description: 'alerts of the alerts connectors: pending, firing, acknowledged, resolved (?state=…)',
    handle: (req) => {
      const keep = stateFilter(req.form.getAll('state'));
      const alerts = [...engines].flatMap((e) => e.list());
      return { data: { alerts: keep ? alerts.filter(keep) : alerts } };
    },
  },
  {
    method: 'GET',
    path: '/api/v1/rules',
    access: 'read',
    description: "rule groups of the alerts connectors (Prometheus' /api/v1/rules shape)",
    handle: () => ({ data: { groups: [...engines].flatMap((e) => e.rules() as unknown[]) } }),
  },
  {
    method: 'POST',
    path: '/api/v1/alerts/{fp}/ack',
    access: 'write',
    description: 'acknowledge an alert (fingerprint, or an alert name for all its active alerts): for, comment, by',
    handle: (req) => {
      const target = req.params.fp!;
      const i = input(req);
      return { data: { alerts: onOwner(target, (e) => e.ack(target, i)) } };
    },
  },
  {
    method: 'POST',
    path: '/api/v1/alerts/{fp}/resolve',
    access: 'write',
    description: 'resolve an alert by hand (an event-like alert): comment, by',
    handle: (req) => {
      const fp = req.params.fp!;
      const i = input(req);
      return { data: { alerts: [onOwner(fp, (e) => e.resolve(fp, i))] } };
    },
  },
];

export function serve(e: AlertsEngine): () => void {
  engines.add(e);
  if (!unregister) unregister = registerConsoleRoutes('alerts', ROUTES);
  return () => {
    engines.delete(e);
    if (engines.size === 0 && unregister) {
      unregister();
      unregister = undefined;
    }
  };
}
