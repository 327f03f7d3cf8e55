// Routes other components add to the console (the alerts connector's /api/v1/alerts, SLO pages),
// by owner id, so they need not import the console extension (components import only src/).
// The console looks the table up on every request: a component that starts later, or is
// replaced by a reload, is served at once, and one that stopped is gone.
import type { ConsoleRoute, HttpMethod } from './api.js';

interface Registered {
  owner: string;
  route: ConsoleRoute;
}

const table = new Map<string, Registered>();

const methodsOf = (r: ConsoleRoute): readonly HttpMethod[] => (typeof r.method === 'string' ? [r.method] : r.method);

/** `GET /api/v1/alerts/{}` — the identity of a route for conflicts (parameter names do not matter). */
export function routeKey(method: HttpMethod, path: string): string {
  return `${method} ${path.replace(/\{[^}/]+\}/g, '{}')}`;
}

/**
 * Adds `routes` for `owner` (a component id such as `alerts`); returns the function that removes
 * them. A route already served by another owner is refused (throws, naming both).
 */
export function registerConsoleRoutes(owner: string, routes: readonly ConsoleRoute[]): () => void {
  const keys: string[] = [];
  for (const route of routes) {
    if (!route.path.startsWith('/')) throw new Error(`console route ${route.path}: must start with /`);
    for (const m of methodsOf(route)) {
      const key = routeKey(m, route.path);
      const had = table.get(key);
      if (had && had.owner !== owner) {
        for (const k of keys) table.delete(k);
        throw new Error(`console route ${key} of ${owner} is already served by ${had.owner}`);
      }
      keys.push(key);
    }
  }
  for (const route of routes) for (const m of methodsOf(route)) table.set(routeKey(m, route.path), { owner, route });
  return () => {
    for (const k of keys) if (table.get(k)?.owner === owner) table.delete(k);
  };
}

/** Every registered route with its owner, in registration order. */
export function registeredRoutes(): { owner: string; method: HttpMethod; route: ConsoleRoute }[] {
  return [...table].map(([key, r]) => ({ owner: r.owner, method: key.slice(0, key.indexOf(' ')) as HttpMethod, route: r.route }));
}
