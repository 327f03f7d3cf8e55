// `telemd slo report`: the SLA report of the running agent's slo connector(s) over a period —
// per objective availability, error time, budget consumed, time in breach, and the incidents
// (the SLOErrorBudgetBurn alerts of the alerts connector that were active in the period).
import { parseDuration } from '../promql/durations.js';
import { apiCall, CliError, EXIT, findConsole } from './console-client.js';
import { CONNECT_FLAGS, CONSOLE_EXIT_CODES, type CommandSpec } from './spec.js';
import type { AlertItem } from './alerts-command.js';

/** What GET /api/v1/slo/report gives per objective (connectors/slo/README.md). */
export interface SloReportItem {
  connector: string;
  name: string;
  description: string;
  target: number;
  window: string;
  from: string;
  to: string;
  total: number;
  bad: number;
  availability: number | null;
  errorSeconds: number;
  budgetConsumed: number;
  budgetSeconds: number;
  breachSeconds: number;
  breaches: { from: string; to: string }[];
  covered: { from: string; to: string } | null;
}

export interface Incident {
  alertname: string;
  severity: string;
  fingerprint: string;
  state: string;
  longWindow: string;
  shortWindow: string;
  firedAt: string;
  resolvedAt: string | null;
  durationSeconds: number;
}

/** RFC 3339, Unix seconds, or `-7d` (before now). */
export function parseWhen(v: string, now: number, flag: string): number {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (v.startsWith('-')) {
    const d = parseDuration(v.slice(1));
    if (typeof d === 'number' && d > 0) return now - d;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new CliError(`${flag} ${JSON.stringify(v)}: expected RFC 3339 (2026-12-01T00:00:00Z), Unix seconds or -DURATION (-7d)`, EXIT.usage);
  return t;
}

/** The alerts of objective `name` that were firing within [from, to]. */
export function incidentsOf(alerts: AlertItem[], name: string, from: number, to: number, now: number): Incident[] {
  const out: Incident[] = [];
  for (const a of alerts) {
    if (a.labels.slo !== name || !a.firedAt) continue;
    const fired = Date.parse(a.firedAt);
    const end = a.resolvedAt ? Date.parse(a.resolvedAt) : now;
    if (fired > to || end < from) continue;
    out.push({
      alertname: a.alertname,
      severity: a.labels.severity ?? '',
      fingerprint: a.fingerprint,
      state: a.state,
      longWindow: a.labels.long_window ?? '',
      shortWindow: a.labels.short_window ?? '',
      firedAt: a.firedAt,
      resolvedAt: a.resolvedAt ?? null,
      durationSeconds: Math.round((Math.min(end, to) - Math.max(fired, from)) / 1000),
    });
  }
  return out.sort((x, y) => (x.firedAt < y.firedAt ? -1 : 1));
}

const pct = (v: number | null, digits = 3): string => (v === null ? 'n/a' : `${(v * 100).toFixed(digits)} %`);

function dur(s: number): string {
  const r = Math.round(s);
  if (r < 60) return `${r}s`;
  if (r < 3600) return `${Math.floor(r / 60)}m${r % 60 ? ` ${r % 60}s` : ''}`;
  if (r < 86400) return `${Math.floor(r / 3600)}h${Math.floor((r % 3600) / 60) ? ` ${Math.floor((r % 3600) / 60)}m` : ''}`;
  return `${Math.floor(r / 86400)}d ${Math.floor((r % 86400) / 3600)}h`;
}

export function renderMarkdown(items: (SloReportItem & { incidents: Incident[] })[], from: number, to: number, alertsNote?: string): string {
  const lines: string[] = [`# SLO report ${new Date(from).toISOString()} – ${new Date(to).toISOString()}`, ''];
  if (items.length === 0) return `${lines.join('\n')}(no objectives: the agent runs no slo connector)\n`;
  lines.push('| objective | target | availability | error time | budget consumed | time in breach | incidents |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const r of items)
    lines.push(`| ${r.name} | ${r.target} % over ${r.window} | ${pct(r.availability)} | ${dur(r.errorSeconds)} | ${pct(r.budgetConsumed, 1)} of ${dur(r.budgetSeconds)} | ${dur(r.breachSeconds)} | ${r.incidents.length} |`);
  for (const r of items) {
    lines.push('', `## ${r.name}${r.description ? ` — ${r.description}` : ''}`, '');
    lines.push(`- events: ${r.total} (bad: ${r.bad})${r.covered ? `, data from ${r.covered.from} to ${r.covered.to}` : ', no data in the period'}`);
    lines.push(`- availability: ${pct(r.availability)} (objective ${r.target} %)`);
    lines.push(`- error time: ${dur(r.errorSeconds)}; budget consumed: ${pct(r.budgetConsumed, 1)} of the ${r.window} budget (${dur(r.budgetSeconds)})`);
    lines.push(`- time in breach: ${dur(r.breachSeconds)}${r.breaches.map((b) => `\n  - ${b.from} – ${b.to}`).join('')}`);
    if (r.incidents.length === 0) lines.push(`- incidents: none${alertsNote ? ` (${alertsNote})` : ''}`);
    else {
      lines.push('- incidents:', '', '| fired | resolved | severity | windows | duration | fingerprint |', '|---|---|---|---|---:|---|');
      for (const i of r.incidents) lines.push(`| ${i.firedAt} | ${i.resolvedAt ?? '(firing)'} | ${i.severity} | ${i.longWindow} & ${i.shortWindow} | ${dur(i.durationSeconds)} | ${i.fingerprint} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export const sloReportCommand: CommandSpec = {
  name: 'slo report',
  usage: 'telemd slo report [--from T] [--to T] [--format markdown|json] [--config F | --endpoint H:P --token-file F]',
  summary: "SLA report of the running agent's SLOs: availability, budget consumed, time in breach, incidents.",
  details:
    'T is RFC 3339, Unix seconds or -DURATION before now (-7d); default: the last objective window\n' +
    'up to now. Incidents are the burn-rate alerts of the alerts connector active in the period.',
  positional: [0, 0],
  exitCodes: Object.fromEntries(CONSOLE_EXIT_CODES.map((c) => [c, ''])),
  flags: {
    '--from': { value: true, arg: 'T', help: 'start of the period (default: the objective window before --to)' },
    '--to': { value: true, arg: 'T', help: 'end of the period (default now)' },
    '--format': { value: true, arg: 'FORMAT', help: 'markdown (default) or json' },
    ...CONNECT_FLAGS,
  },
  async run(args) {
    const now = Date.now();
    const format = args.values.get('--format') ?? 'markdown';
    if (format !== 'markdown' && format !== 'json') throw new CliError(`--format ${JSON.stringify(format)}: markdown or json`, EXIT.usage);
    const to = args.values.has('--to') ? parseWhen(args.values.get('--to')!, now, '--to') : now;
    const fromArg = args.values.get('--from');
    const from = fromArg !== undefined ? parseWhen(fromArg, now, '--from') : undefined;
    if (from !== undefined && from >= to) throw new CliError('--from must be before --to', EXIT.usage);
    const t = findConsole(args);
    const q = new URLSearchParams({ to: String(to / 1000) });
    if (from !== undefined) q.set('from', String(from / 1000));
    const data = await apiCall<{ objectives: SloReportItem[] }>(t, `/api/v1/slo/report?${q}`);
    let alerts: AlertItem[] = [];
    let alertsNote: string | undefined;
    try {
      alerts = (await apiCall<{ alerts: AlertItem[] }>(t, '/api/v1/alerts')).alerts;
    } catch (e) {
      if (!(e instanceof CliError) || e.code !== EXIT.dataErr) throw e;
      alertsNote = 'the agent runs no alerts connector';
    }
    const items = data.objectives.map((r) => ({ ...r, incidents: incidentsOf(alerts, r.name, Date.parse(r.from), Date.parse(r.to), now) }));
    const start = from ?? Math.min(...items.map((r) => Date.parse(r.from)), to);
    if (format === 'json') process.stdout.write(`${JSON.stringify({ from: new Date(start).toISOString(), to: new Date(to).toISOString(), objectives: items }, null, 2)}\n`);
    else process.stdout.write(renderMarkdown(items, start, to, alertsNote));
    return EXIT.ok;
  },
};
