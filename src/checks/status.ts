// The latest state of every check target, for the console (`GET /api/v1/checks`): status,
// last error, and the recent probes (time, ok, duration) a status page draws as a sparkline.
// Each running check receiver registers its targets here; the route is served while any runs.
import { registerConsoleRoutes } from '../console/routes.js';
import type { JsonRoute } from '../console/api.js';

export type CheckKind = 'http' | 'tcp' | 'systemd';

export interface RecentProbe {
  /** Start, ms since the epoch. */
  t: number;
  ok: boolean;
  /** Probe duration, ms (systemd: the D-Bus round trip). */
  ms: number;
}

export interface TargetStatus {
  receiver: string;
  kind: CheckKind;
  /** URL, host:port or unit name. */
  target: string;
  /** undefined until the first probe. */
  up?: boolean;
  lastProbe?: number;
  durationMs?: number;
  error?: string;
  /** Kind-specific details: status code, certificate expiry, active/sub state, restarts, … */
  detail: Record<string, string | number | boolean>;
  recent: RecentProbe[];
  probes: number;
  failures: number;
}

const KEEP = 120;

export class TargetBoard {
  private readonly targets = new Map<string, TargetStatus>();

  constructor(
    readonly receiver: string,
    readonly kind: CheckKind,
  ) {}

  record(target: string, r: { ok: boolean; t: number; ms: number; error?: string; detail?: TargetStatus['detail'] }): void {
    let st = this.targets.get(target);
    if (!st) this.targets.set(target, (st = { receiver: this.receiver, kind: this.kind, target, detail: {}, recent: [], probes: 0, failures: 0 }));
    st.up = r.ok;
    st.lastProbe = r.t;
    st.durationMs = r.ms;
    st.error = r.error;
    st.detail = r.detail ?? {};
    st.probes++;
    if (!r.ok) st.failures++;
    st.recent.push({ t: r.t, ok: r.ok, ms: Math.round(r.ms * 1000) / 1000 });
    if (st.recent.length > KEEP) st.recent.splice(0, st.recent.length - KEEP);
  }

  /** A target that is gone (a unit that no longer matches). */
  forget(target: string): void {
    this.targets.delete(target);
  }

  list(): TargetStatus[] {
    return [...this.targets.values()];
  }
}

const boards = new Set<TargetBoard>();
let unregister: (() => void) | undefined;

const ROUTES: JsonRoute[] = [
  {
    method: 'GET',
    path: '/api/v1/checks',
    access: 'read',
    description: 'check targets (httpcheck, tcpcheck, systemd): status, last error, recent probes (?kind=http|tcp|systemd, ?receiver=id)',
    handle: (req) => {
      const kind = req.form.get('kind');
      const receiver = req.form.get('receiver');
      let all = [...boards].flatMap((b) => b.list());
      if (kind) all = all.filter((t) => t.kind === kind);
      if (receiver) all = all.filter((t) => t.receiver === receiver);
      return { data: { targets: all } };
    },
  },
];

/** Publishes a receiver's board on the console while it runs; returns the function that removes it. */
export function publishBoard(b: TargetBoard): () => void {
  boards.add(b);
  unregister ??= registerConsoleRoutes('checks', ROUTES);
  return () => {
    boards.delete(b);
    if (boards.size === 0 && unregister) {
      unregister();
      unregister = undefined;
    }
  };
}
