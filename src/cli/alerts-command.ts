// `telemd alerts list|ack|resolve`: the alerts connector through the running agent's console
// API (token-protected), as `amtool alert` / `amtool silence` do for Alertmanager.
import { userInfo } from 'node:os';
import { parseDuration } from '../promql/durations.js';
import { apiCall, CliError, EXIT, findConsole } from './console-client.js';
import { table } from './query-command.js';
import { CONNECT_FLAGS, CONSOLE_EXIT_CODES, type CommandSpec } from './spec.js';
import type { Args } from './args.js';

interface Silence {
  alertmanager: string;
  id?: string;
  state: string;
  error?: string;
}

/** The fields of GET /api/v1/alerts items this command shows (see connectors/alerts/README.md). */
export interface AlertItem {
  fingerprint: string;
  alertname: string;
  state: 'pending' | 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: string;
  activeAt: string;
  firedAt?: string;
  resolvedAt?: string;
  acknowledged?: { by: string; at: string; until: string; comment: string; silences: Silence[] };
  closed?: { by: string; at: string; comment: string };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** `3m12s` ago, coarse. */
function since(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

function shortValue(v: string): string {
  const n = Number(v);
  if (!Number.isFinite(n)) return v;
  return Math.abs(n) >= 1e6 || (Math.abs(n) < 1e-3 && n !== 0) ? n.toExponential(3) : String(Math.round(n * 1000) / 1000);
}

function labelText(a: AlertItem): string {
  return Object.entries(a.labels)
    .filter(([k]) => k !== 'alertname' && k !== 'severity')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

export function renderAlerts(alerts: AlertItem[], now = Date.now()): string {
  if (alerts.length === 0) return '(no alerts)\n';
  const rows = alerts.map((a) => [
    a.acknowledged && a.state !== 'resolved' ? `${a.state}/acked` : a.state,
    a.alertname,
    a.labels.severity ?? '',
    a.fingerprint,
    since(a.state === 'resolved' ? a.resolvedAt : a.state === 'firing' ? (a.firedAt ?? a.activeAt) : a.activeAt, now),
    shortValue(a.value),
    a.acknowledged ? `${a.acknowledged.by} until ${a.acknowledged.until.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}${a.acknowledged.comment ? ` (${a.acknowledged.comment})` : ''}` : a.closed ? `resolved by ${a.closed.by}${a.closed.comment ? ` (${a.closed.comment})` : ''}` : '',
    labelText(a),
    a.annotations.summary ?? '',
  ]);
  return table(['STATE', 'ALERT', 'SEVERITY', 'FINGERPRINT', 'FOR', 'VALUE', 'ACK', 'LABELS', 'SUMMARY'], rows);
}

const BY: CommandSpec['flags'] = {
  '--comment': { value: true, arg: 'TEXT', help: 'why (kept and shown)' },
  '--by': { value: true, arg: 'NAME', help: 'who (default: the user running this command)' },
};
const EXITS = Object.fromEntries(CONSOLE_EXIT_CODES.map((c) => [c, c === EXIT.dataErr ? 'no such alert, or it is resolved' : '']));

async function act(sub: 'ack' | 'resolve', args: Args, target: string | undefined): Promise<number> {
  if (target === undefined || target === '') throw new CliError(`${sub} needs a fingerprint${sub === 'ack' ? ' or an alert name' : ''}`, EXIT.usage);
  const form = new URLSearchParams({ by: args.values.get('--by') ?? osUser() });
  const comment = args.values.get('--comment');
  if (comment !== undefined) form.set('comment', comment);
  const f = args.values.get('--for');
  if (f !== undefined) {
    const d = parseDuration(f);
    if (typeof d !== 'number' || d <= 0) throw new CliError(`--for ${JSON.stringify(f)}: expected a duration such as 30m, 4h, 2d`, EXIT.usage);
    form.set('for', f);
  }
  const t = findConsole(args);
  const data = await apiCall<{ alerts: AlertItem[] }>(t, `/api/v1/alerts/${encodeURIComponent(target)}/${sub}`, form);
  if (args.flags.has('--json')) process.stdout.write(`${JSON.stringify({ status: 'success', data })}\n`);
  else process.stdout.write(`${sub === 'ack' ? 'acknowledged' : 'resolved'} ${data.alerts.length} alert${data.alerts.length === 1 ? '' : 's'}\n${renderAlerts(data.alerts)}`);
  return EXIT.ok;
}

export const alertsListCommand: CommandSpec = {
  name: 'alerts list',
  usage: 'telemd alerts list [--state pending|firing|acknowledged|resolved|active|all] [--json] [--config F | --endpoint H:P --token-file F]',
  summary: 'Alerts of the running agent\'s alerts connector: state, value, who acknowledged.',
  positional: [0, 0],
  exitCodes: Object.fromEntries(CONSOLE_EXIT_CODES.map((c) => [c, ''])),
  flags: {
    '--state': { value: true, arg: 'STATES', help: 'states to show, comma-separated (default active = pending,firing; all = everything kept)' },
    '--json': { value: false, help: 'print the API JSON' },
    ...CONNECT_FLAGS,
  },
  async run(args) {
    const state = args.values.get('--state') ?? 'active';
    const t = findConsole(args);
    const q = state === 'all' ? '' : `?state=${encodeURIComponent(state)}`;
    const data = await apiCall<{ alerts: AlertItem[] }>(t, `/api/v1/alerts${q}`);
    process.stdout.write(args.flags.has('--json') ? `${JSON.stringify({ status: 'success', data })}\n` : renderAlerts(data.alerts));
    return EXIT.ok;
  },
};

export const alertsAckCommand: CommandSpec = {
  name: 'alerts ack',
  usage: 'telemd alerts ack FINGERPRINT|ALERTNAME [--for 4h] [--comment TEXT] [--by NAME] [--json]',
  summary: 'Acknowledge an alert: an Alertmanager silence on its labels, notifications stop until it ends.',
  details:
    'An alert name acknowledges all its active alerts. The alert keeps being evaluated; the silence\n' +
    'ends with the acknowledgement (--for) or when the alert resolves.',
  positional: [1, 1],
  exitCodes: EXITS,
  flags: { '--for': { value: true, arg: 'DURATION', help: 'how long (default 4h)' }, ...BY, '--json': { value: false, help: 'print the API JSON' }, ...CONNECT_FLAGS },
  run: (args, [target]) => act('ack', args, target),
};

export const alertsResolveCommand: CommandSpec = {
  name: 'alerts resolve',
  usage: 'telemd alerts resolve FINGERPRINT [--comment TEXT] [--by NAME] [--json]',
  summary: 'Resolve an (event-like) alert by hand: ended at Alertmanager now, kept resolved while its condition holds.',
  positional: [1, 1],
  exitCodes: EXITS,
  flags: { ...BY, '--json': { value: false, help: 'print the API JSON' }, ...CONNECT_FLAGS },
  run: (args, [target]) => act('resolve', args, target),
};
