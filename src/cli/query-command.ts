// `telemd query 'EXPR'`: a PromQL query against the running agent's history, as a table.
import { parseDuration } from '../promql/durations.js';
import { apiCall, CliError, EXIT, findConsole } from './console-client.js';
import { CONNECT_FLAGS, CONSOLE_EXIT_CODES, type CommandSpec } from './spec.js';

type Labels = Record<string, string>;
type Data =
  | { resultType: 'vector'; result: { metric: Labels; value: [number, string] }[] }
  | { resultType: 'matrix'; result: { metric: Labels; values: [number, string][] }[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

function durationMs(flag: string, v: string): number {
  const d = parseDuration(v);
  if (typeof d !== 'number' || d <= 0) throw new CliError(`${flag} ${JSON.stringify(v)}: expected a duration such as 10s, 5m, 1h`, EXIT.usage);
  return d;
}

/** --time: Unix seconds, RFC 3339, `now`, or `-5m` (that long ago). */
export function parseTimeFlag(v: string, now = Date.now()): number {
  if (v === 'now') return now;
  if (v.startsWith('-')) return now - durationMs('--time', v.slice(1));
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new CliError(`--time ${JSON.stringify(v)}: expected Unix seconds, RFC 3339, now or -DURATION`, EXIT.usage);
  return t;
}

export function seriesName(m: Labels, keep?: readonly string[]): string {
  const name = m.__name__ ?? '';
  const rest = Object.keys(m)
    .filter((k) => k !== '__name__' && (!keep || keep.includes(k)))
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k])}`);
  return rest.length ? `${name}{${rest.join(', ')}}` : name || '{}';
}

function timeText(tSec: number, withDate: boolean): string {
  const iso = new Date(tSec * 1000).toISOString();
  return withDate ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : iso.slice(11, 19);
}

export function table(head: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (rightAlign[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/** Labels whose values differ between series (what tells columns apart). */
function varying(series: Labels[]): string[] {
  const names = new Set(series.flatMap((s) => Object.keys(s)));
  return [...names].filter((n) => new Set(series.map((s) => s[n] ?? '')).size > 1).sort();
}

export function renderQuery(d: Data): string {
  switch (d.resultType) {
    case 'scalar':
    case 'string':
      return `${d.result[1]}  @ ${timeText(d.result[0], true)}\n`;
    case 'vector': {
      if (d.result.length === 0) return '(no series)\n';
      const rows = d.result.map((s) => [seriesName(s.metric), s.value[1]]);
      return `at ${timeText(d.result[0]!.value[0], true)}\n${table(['SERIES', 'VALUE'], rows, [false, true])}`;
    }
    case 'matrix': {
      if (d.result.length === 0) return '(no series)\n';
      const times = [...new Set(d.result.flatMap((s) => s.values.map((p) => p[0])))].sort((a, b) => a - b);
      const withDate = times[times.length - 1]! - times[0]! >= 86_400;
      if (d.result.length <= 6) {
        // Wide: one column per series, named by the labels that tell them apart.
        const keys = varying(d.result.map((s) => s.metric));
        const head = ['TIME', ...d.result.map((s) => (d.result.length === 1 ? seriesName(s.metric) : seriesName(Object.fromEntries(keys.map((k) => [k, s.metric[k] ?? ''])), keys)))];
        const byT = d.result.map((s) => new Map(s.values.map(([t, v]) => [t, v])));
        const rows = times.map((t) => [timeText(t, withDate), ...byT.map((m) => m.get(t) ?? '')]);
        return table(head, rows, head.map((_, i) => i > 0));
      }
      const rows = d.result.flatMap((s) => s.values.map(([t, v]) => [timeText(t, withDate), seriesName(s.metric), v]));
      return table(['TIME', 'SERIES', 'VALUE'], rows, [false, false, true]);
    }
  }
}

export const queryCommand: CommandSpec = {
  name: 'query',
  usage: "telemd query 'EXPR' [--time T] [--range D [--step D]] [--json] [--config F | --endpoint H:P --token-file F]",
  summary: 'Evaluate PromQL over the running agent\'s history (a table, or the API JSON).',
  positional: [1, 1],
  exitCodes: Object.fromEntries(CONSOLE_EXIT_CODES.map((c) => [c, ''])),
  flags: {
    '--time': { value: true, arg: 'T', help: 'evaluation time (end of the range): Unix seconds, RFC 3339, now, or -5m; default now' },
    '--range': { value: true, arg: 'D', help: 'a range query over this long before --time (e.g. 1h)' },
    '--step': { value: true, arg: 'D', help: 'resolution of a range query (default: range/60, at least 1s)' },
    '--json': { value: false, help: 'print the Prometheus API JSON instead of a table' },
    ...CONNECT_FLAGS,
  },
  async run(args, [expr]) {
    const time = args.values.has('--time') ? parseTimeFlag(args.values.get('--time')!) : Date.now();
    const range = args.values.has('--range') ? durationMs('--range', args.values.get('--range')!) : undefined;
    if (args.values.has('--step') && range === undefined) throw new CliError('--step needs --range', EXIT.usage);
    const target = findConsole(args);
    const form = new URLSearchParams({ query: expr! });
    let data: Data;
    if (range === undefined) {
      form.set('time', String(time / 1000));
      data = await apiCall<Data>(target, '/api/v1/query', form);
    } else {
      const step = args.values.has('--step') ? durationMs('--step', args.values.get('--step')!) : Math.max(1000, Math.ceil(range / 60 / 1000) * 1000);
      form.set('start', String((time - range) / 1000));
      form.set('end', String(time / 1000));
      form.set('step', String(step / 1000));
      data = await apiCall<Data>(target, '/api/v1/query_range', form);
    }
    process.stdout.write(args.flags.has('--json') ? `${JSON.stringify({ status: 'success', data })}\n` : renderQuery(data));
    return EXIT.ok;
  },
};
