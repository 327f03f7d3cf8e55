// The alert state kept in file_storage: every rule's alerts (pending with their `for` timers,
// firing with their startsAt, resolved ones still being re-sent, acknowledgements), the
// resolved-alert log the API shows, and silences still to expire. JSON, with non-finite
// numbers (NaN values of alerts) written as strings.
import type { Alert } from '../../src/alerting/rule.js';
import type { RuleRef } from './records.js';

export interface ResolvedEntry {
  alert: Alert;
  rule: RuleRef;
}

export interface SavedState {
  version: 1;
  savedAt: number;
  groups: { key: string; lastEvalMs: number; rules: { name: string; index: number; alerts: Alert[] }[] }[];
  resolved: ResolvedEntry[];
  expiries: { am: string; id: string }[];
}

const NUM = '\u0000num:';

export function saveState(s: SavedState): string {
  return JSON.stringify(s, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `${NUM}${String(v)}` : v));
}

export function loadState(buf: Buffer | undefined): SavedState | undefined {
  if (!buf || buf.length === 0) return undefined;
  const s = JSON.parse(buf.toString('utf8'), (_k, v: unknown) => (typeof v === 'string' && v.startsWith(NUM) ? Number(v.slice(NUM.length)) : v)) as SavedState;
  if (s.version !== 1 || !Array.isArray(s.groups)) throw new Error(`unknown state version ${String((s as { version?: unknown }).version)}`);
  return s;
}
