// What the connector hands on: a log record per alert transition (and per acknowledgement or
// resolution by hand), the ALERTS / ALERTS_FOR_STATE / recording-rule series as OTLP gauges,
// and the JSON view of an alert that the console API serves.
import type { AnyValue, Attributes, KvList, LogRecord, LogsData, MetricsData, NumberDataPoint } from '../../src/pdata/types.js';
import type { OutputSample } from '../../src/alerting/group.js';
import type { Alert } from '../../src/alerting/rule.js';
import { formatFloat } from '../../src/alerting/gofmt.js';
import { formatDuration } from '../../src/promql/durations.js';

export const SCOPE = { name: 'telemd/connector/alerts' };

/** OpenTelemetry severity numbers for the values the `severity` label commonly takes. */
const SEVERITIES: [RegExp, number][] = [
  [/^(emerg|emergency)$/i, 24],
  [/^alert$/i, 23],
  [/^(fatal|critical|crit|page|disaster)$/i, 21],
  [/^(error|err|major|high)$/i, 17],
  [/^(warning|warn|ticket|minor|medium|average)$/i, 13],
  [/^(info|informational|notice|low|none|ok)$/i, 9],
  [/^debug$/i, 5],
];

/** The severity number of a `severity` label (WARN when absent or unknown: an alert is at least a warning). */
export function severityNumber(sev: string | undefined): number {
  if (sev === undefined) return 13;
  for (const [re, n] of SEVERITIES) if (re.test(sev)) return n;
  return 13;
}

function kv(r: Record<string, string>): KvList {
  const out: KvList = {};
  for (const k of Object.keys(r)) out[k] = r[k]!;
  return out;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Prometheus' API value text (strconv 'e', shortest). */
export function valueString(v: number): string {
  return formatFloat(v, 'e', -1);
}

export interface RecordContext {
  group: string;
  rule: string;
  /** Labels as Alertmanager sees them (with external labels). */
  labels: Record<string, string>;
}

export type RecordEvent = 'pending' | 'firing' | 'resolved' | 'inactive' | 'acknowledged' | 'unacknowledged';

/** One transition (or acknowledgement) as a log record. */
export function alertRecord(a: Alert, event: RecordEvent, from: string, ts: number, ctx: RecordContext, extra: Attributes = {}): LogRecord {
  const summary = a.annotations.summary ?? a.annotations.description ?? '';
  const sev = ctx.labels.severity;
  const attributes: Attributes = {
    alertname: ctx.rule,
    state: event,
    previous_state: from,
    value: Number.isFinite(a.value) ? a.value : valueString(a.value),
    fingerprint: a.fp,
    labels: kv(ctx.labels),
    annotations: kv(a.annotations),
    'rule.group': ctx.group,
    active_at: iso(a.activeAt) ?? null,
    ...extra,
  };
  if (a.firedAt !== undefined) attributes.fired_at = iso(a.firedAt)!;
  if (a.resolvedAt !== undefined && (event === 'resolved' || event === 'inactive')) attributes.resolved_at = iso(a.resolvedAt)!;
  if (a.ack && event !== 'unacknowledged') {
    attributes['acknowledged.by'] = a.ack.by;
    attributes['acknowledged.until'] = iso(a.ack.until)!;
    if (a.ack.comment) attributes['acknowledged.comment'] = a.ack.comment;
  }
  const body = `${event.toUpperCase()}: ${ctx.rule}${summary ? `: ${summary}` : ''}`;
  return {
    timeUnixNano: BigInt(Math.round(ts)) * 1_000_000n,
    observedTimeUnixNano: BigInt(Date.now()) * 1_000_000n,
    severityNumber: severityNumber(sev),
    severityText: sev ?? 'warning',
    body,
    attributes,
    eventName: `alert.${event}`,
  };
}

export function logsData(records: LogRecord[], resource: Attributes): LogsData {
  return { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope: SCOPE, logRecords: records }] }] };
}

/** Rule output (ALERTS, ALERTS_FOR_STATE, recording rules) as gauges; ended series as stale points. */
export function metricsData(samples: OutputSample[], ts: number): MetricsData {
  const byName = new Map<string, NumberDataPoint[]>();
  const t = BigInt(Math.round(ts)) * 1_000_000n;
  for (const s of samples) {
    const { __name__: name = '', ...attrs } = s.labels;
    let pts = byName.get(name);
    if (!pts) byName.set(name, (pts = []));
    const p: NumberDataPoint = { attributes: attrs as Attributes, startTimeUnixNano: 0n, timeUnixNano: t, value: s.stale ? NaN : s.value };
    if (s.stale) p.flags = 1;
    pts.push(p);
  }
  return {
    resourceMetrics: [
      {
        resource: { attributes: {} },
        scopeMetrics: [{ scope: SCOPE, metrics: [...byName].map(([name, dataPoints]) => ({ name, type: 'gauge' as const, dataPoints })) }],
      },
    ],
  };
}

/** The JSON an alert is served as (`GET /api/v1/alerts`): Prometheus' fields plus telemd's. */
export interface AlertView {
  fingerprint: string;
  alertname: string;
  /** pending | firing | resolved */
  state: 'pending' | 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** As Prometheus' API writes it (`1.5e+01`). */
  value: string;
  activeAt: string;
  firedAt?: string;
  resolvedAt?: string;
  keepFiringSince?: string;
  lastEvaluation: string;
  acknowledged?: {
    by: string;
    at: string;
    until: string;
    comment: string;
    silences: { alertmanager: string; id?: string; state: string; error?: string }[];
  };
  /** Resolved by hand. */
  closed?: { by: string; at: string; comment: string };
  rule: { group: string; file: string; name: string; expr: string; for: string; keepFiringFor: string; severity?: string };
  connector: string;
  history: { at: string; event: string; value?: string; by?: string; comment?: string }[];
}

export interface RuleRef {
  group: string;
  file: string;
  name: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
}

export function alertView(a: Alert, labels: Record<string, string>, rule: RuleRef, connector: string): AlertView {
  const state = a.state === 'inactive' ? 'resolved' : a.state;
  const v: AlertView = {
    fingerprint: a.fp,
    alertname: rule.name,
    state,
    labels,
    annotations: a.annotations,
    value: valueString(a.value),
    activeAt: iso(a.activeAt)!,
    lastEvaluation: iso(a.lastEvalAt)!,
    rule: {
      group: rule.group,
      file: rule.file,
      name: rule.name,
      expr: rule.expr,
      for: formatDuration(rule.forMs),
      keepFiringFor: formatDuration(rule.keepFiringForMs),
      severity: labels.severity,
    },
    connector,
    history: a.history.map((h) => ({
      at: iso(h.at)!,
      event: h.event,
      ...(h.value !== undefined ? { value: valueString(h.value) } : {}),
      ...(h.by ? { by: h.by } : {}),
      ...(h.comment ? { comment: h.comment } : {}),
    })),
  };
  if (a.firedAt !== undefined) v.firedAt = iso(a.firedAt);
  if (a.resolvedAt !== undefined && a.state === 'inactive') v.resolvedAt = iso(a.resolvedAt);
  if (a.keepFiringSince !== undefined) v.keepFiringSince = iso(a.keepFiringSince);
  if (a.ack)
    v.acknowledged = {
      by: a.ack.by,
      at: iso(a.ack.at)!,
      until: iso(a.ack.until)!,
      comment: a.ack.comment,
      silences: Object.entries(a.ack.silences).map(([am, s]) => ({ alertmanager: am, ...(s.id ? { id: s.id } : {}), state: s.state, ...(s.error ? { error: s.error } : {}) })),
    };
  if (a.closed) v.closed = { by: a.closed.by, at: iso(a.closed.at)!, comment: a.closed.comment };
  return v;
}

export function anyValueOf(v: unknown): AnyValue {
  return v as AnyValue;
}
