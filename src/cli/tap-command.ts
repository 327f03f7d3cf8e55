// `telemd tap COMPONENT`: records passing a component, one readable line each (or OTLP JSON).
import { createInterface } from 'node:readline';
import { apiStream, CliError, EXIT, findConsole } from './console-client.js';
import { CONNECT_FLAGS, CONSOLE_EXIT_CODES, type CommandSpec } from './spec.js';

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] }; kvlistValue?: { values?: KeyValue[] }; bytesValue?: string };
type KeyValue = { key: string; value?: AnyValue };
type Point = { attributes?: KeyValue[]; timeUnixNano?: string; asDouble?: number; asInt?: string | number; count?: string | number; sum?: number; bucketCounts?: (string | number)[]; explicitBounds?: number[]; quantileValues?: { quantile?: number; value?: number }[] };
type Metric = { name: string; unit?: string; gauge?: { dataPoints?: Point[] }; sum?: { dataPoints?: Point[] }; histogram?: { dataPoints?: Point[] }; exponentialHistogram?: { dataPoints?: Point[] }; summary?: { dataPoints?: Point[] } };
type LogRecord = { timeUnixNano?: string; observedTimeUnixNano?: string; severityText?: string; severityNumber?: number; body?: AnyValue; attributes?: KeyValue[] };
type Span = { name: string; traceId?: string; spanId?: string; startTimeUnixNano?: string; endTimeUnixNano?: string; attributes?: KeyValue[]; status?: { code?: number } };
interface OtlpJson {
  resourceMetrics?: { scopeMetrics?: { metrics?: Metric[] }[] }[];
  resourceLogs?: { scopeLogs?: { logRecords?: LogRecord[] }[] }[];
  resourceSpans?: { scopeSpans?: { spans?: Span[] }[] }[];
}
interface TapLine {
  tap?: unknown;
  heartbeat?: string;
  end?: string;
  time?: string;
  component?: string;
  direction?: string;
  signal?: string;
  items?: number;
  dropped?: number;
  skipped?: number;
  data?: OtlpJson;
}

export function anyValueText(v: AnyValue | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.arrayValue) return `[${(v.arrayValue.values ?? []).map(anyValueText).join(', ')}]`;
  if (v.kvlistValue) return `{${attrsText(v.kvlistValue.values)}}`;
  if (v.bytesValue !== undefined) return `<bytes ${v.bytesValue}>`;
  return '';
}

function attrsText(a: KeyValue[] | undefined): string {
  return (a ?? []).map((kv) => `${kv.key}=${JSON.stringify(anyValueText(kv.value))}`).join(', ');
}

const clock = (nanos: string | undefined, fallback: string): string => {
  const ms = nanos && nanos !== '0' ? Number(BigInt(nanos) / 1_000_000n) : Date.parse(fallback);
  return new Date(ms).toISOString().slice(11, 23);
};

/** One readable line per record of a tap event. */
export function recordLines(ev: TapLine): string[] {
  const d = ev.data ?? {};
  const out: string[] = [];
  const where = `${ev.component} ${ev.direction}`;
  for (const rm of d.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? [])
      for (const m of sm.metrics ?? []) {
        const kind = m.gauge ? 'gauge' : m.sum ? 'sum' : m.histogram ? 'histogram' : m.exponentialHistogram ? 'exphistogram' : m.summary ? 'summary' : '?';
        const pts = (m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary)?.dataPoints ?? [];
        for (const p of pts) {
          const v = p.asDouble ?? p.asInt ?? (p.count !== undefined ? `count=${p.count} sum=${p.sum ?? ''}` : '');
          const attrs = attrsText(p.attributes);
          out.push(`${clock(p.timeUnixNano, ev.time ?? '')} ${where} ${kind} ${m.name}${attrs ? `{${attrs}}` : ''} ${v}${m.unit ? ` ${m.unit}` : ''}`);
        }
      }
  for (const rl of d.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const r of sl.logRecords ?? []) {
        const attrs = attrsText(r.attributes);
        out.push(`${clock(r.timeUnixNano !== '0' ? r.timeUnixNano : r.observedTimeUnixNano, ev.time ?? '')} ${where} log ${r.severityText || (r.severityNumber ? `SEV${r.severityNumber}` : '-')} ${JSON.stringify(anyValueText(r.body))}${attrs ? ` {${attrs}}` : ''}`);
      }
  for (const rs of d.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? []) {
        const dur = s.startTimeUnixNano && s.endTimeUnixNano ? `${Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6}ms` : '';
        out.push(`${clock(s.startTimeUnixNano, ev.time ?? '')} ${where} span ${s.name} trace=${s.traceId ?? ''} span=${s.spanId ?? ''} ${dur}`.trimEnd());
      }
  return out;
}

export const tapCommand: CommandSpec = {
  name: 'tap',
  usage: 'telemd tap COMPONENT [--outputs | --inputs] [--limit N] [--types metrics,logs,traces] [--json] [--config F | --endpoint H:P --token-file F]',
  summary: 'Show records passing a component, live (Ctrl-C stops).',
  positional: [1, 1],
  complete: 'components',
  exitCodes: Object.fromEntries(CONSOLE_EXIT_CODES.map((c) => [c, ''])),
  signals: { SIGINT: 'stop tapping (exit 0)' },
  flags: {
    '--outputs': { value: false, help: 'what the component passes on (default for receivers and processors)' },
    '--inputs': { value: false, help: 'what enters it (default for exporters)' },
    '--limit': { value: true, arg: 'N', help: 'stop after N records (N batches with --json)' },
    '--types': { value: true, arg: 'LIST', help: 'signals to show (default all it handles)' },
    '--json': { value: false, help: 'one OTLP JSON export request per line, as the tap streams it' },
    ...CONNECT_FLAGS,
  },
  async run(args, [component]) {
    if (args.flags.has('--outputs') && args.flags.has('--inputs')) throw new CliError('give --outputs or --inputs, not both', EXIT.usage);
    const limitRaw = args.values.get('--limit');
    const limit = limitRaw === undefined ? 0 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1) {
      if (limitRaw !== undefined) throw new CliError(`--limit ${JSON.stringify(limitRaw)}: expected a whole number >= 1`, EXIT.usage);
    }
    const json = args.flags.has('--json');
    const target = findConsole(args);
    const q = new URLSearchParams({ component: component! });
    if (args.flags.has('--outputs')) q.set('direction', 'out');
    if (args.flags.has('--inputs')) q.set('direction', 'in');
    if (args.values.has('--types')) q.set('types', args.values.get('--types')!);
    if (json && limit) q.set('limit', String(limit));
    const ac = new AbortController();
    let shown = 0;
    let lastDrop = { dropped: 0, skipped: 0 };
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
      ac.abort();
    };
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigint);
    // A closed pipe (| head) ends the tap quietly.
    process.stdout.on('error', () => ac.abort());
    try {
      const res = await apiStream(target, `/api/v1/tap?${q}`, ac.signal);
      // The stream is cut on purpose when we stop: that is no error.
      res.on('error', () => undefined);
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      lines.on('error', () => undefined);
      let endReason = 'the agent closed the stream';
      try {
        for await (const raw of lines) {
          if (raw === '') continue;
          const ev = JSON.parse(raw) as TapLine;
          if (ev.tap) {
            process.stderr.write(`# tapping ${JSON.stringify(ev.tap)} (Ctrl-C stops)\n`);
            continue;
          }
          if (ev.dropped !== undefined && (ev.dropped > lastDrop.dropped || (ev.skipped ?? 0) > lastDrop.skipped)) {
            process.stderr.write(`# ${ev.dropped} batches dropped (this reader was slow), ${ev.skipped ?? 0} skipped (rate limit); the pipeline was not slowed\n`);
            lastDrop = { dropped: ev.dropped, skipped: ev.skipped ?? 0 };
          }
          if (ev.end !== undefined) {
            endReason = ev.end === 'limit' ? '' : ev.end;
            break;
          }
          if (ev.heartbeat !== undefined) continue;
          if (json) {
            process.stdout.write(`${JSON.stringify(ev.data)}\n`);
            shown++;
            continue;
          }
          for (const l of recordLines(ev)) {
            process.stdout.write(`${l}\n`);
            if (limit && ++shown >= limit) break;
          }
          if (limit && shown >= limit) {
            endReason = '';
            break;
          }
        }
      } catch (err) {
        if (!ac.signal.aborted) throw err;
      }
      lines.close();
      ac.abort();
      if (!interrupted && endReason) process.stderr.write(`# tap ended: ${endReason}\n`);
      return EXIT.ok;
    } catch (err) {
      if (interrupted || (err as Error).name === 'AbortError') return EXIT.ok;
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      if (interrupted) process.stderr.write(`# stopped after ${shown} record${shown === 1 ? '' : 's'}\n`);
    }
  },
};
