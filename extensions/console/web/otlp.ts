// OTLP JSON (as the tap streams it) flattened into one readable line per record.
type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] }; kvlistValue?: { values?: KeyValue[] }; bytesValue?: string };
type KeyValue = { key: string; value?: AnyValue };

export function anyText(v: AnyValue | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.arrayValue) return `[${(v.arrayValue.values ?? []).map(anyText).join(', ')}]`;
  if (v.kvlistValue) return `{${attrs(v.kvlistValue.values)}}`;
  if (v.bytesValue !== undefined) return v.bytesValue;
  return '';
}

export function attrs(kvs: KeyValue[] | undefined): string {
  return (kvs ?? []).map((kv) => `${kv.key}=${JSON.stringify(anyText(kv.value))}`).join(' ');
}

export function attrMap(kvs: KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of kvs ?? []) out[kv.key] = anyText(kv.value);
  return out;
}

const time = (ns: string | number | undefined) => {
  const ms = Number(BigInt(String(ns ?? 0)) / 1000000n);
  return ms ? new Date(ms).toISOString().slice(11, 23) : '';
};

interface Point { timeUnixNano?: string; attributes?: KeyValue[]; asDouble?: number; asInt?: string; count?: string; sum?: number }
interface Metric { name: string; gauge?: { dataPoints?: Point[] }; sum?: { dataPoints?: Point[] }; histogram?: { dataPoints?: Point[] }; exponentialHistogram?: { dataPoints?: Point[] }; summary?: { dataPoints?: Point[] } }
export interface LogRecord { timeUnixNano?: string; observedTimeUnixNano?: string; severityText?: string; severityNumber?: number; body?: AnyValue; attributes?: KeyValue[] }
interface Span { name: string; traceId?: string; startTimeUnixNano?: string; endTimeUnixNano?: string; attributes?: KeyValue[]; status?: { code?: number } }

export interface Line {
  text: string;
  /** Log records: their attributes (the Logs page filters by log.template.id). */
  attributes?: Record<string, string>;
}

export function records(signal: string, data: unknown): Line[] {
  const out: Line[] = [];
  const d = data as Record<string, unknown[]>;
  if (signal === 'metrics') {
    for (const rm of (d.resourceMetrics ?? []) as { scopeMetrics?: { metrics?: Metric[] }[] }[])
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? []) {
          const kind = m.gauge ? 'gauge' : m.sum ? 'sum' : m.histogram ? 'histogram' : m.exponentialHistogram ? 'exphistogram' : 'summary';
          const pts = (m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary)?.dataPoints ?? [];
          for (const p of pts) {
            const v = p.asDouble ?? p.asInt ?? (p.count !== undefined ? `count=${p.count} sum=${p.sum ?? ''}` : '');
            out.push({ text: `${time(p.timeUnixNano)} ${kind} ${m.name}${p.attributes?.length ? `{${attrs(p.attributes)}}` : ''} ${v}` });
          }
        }
  } else if (signal === 'logs') {
    for (const rl of (d.resourceLogs ?? []) as { scopeLogs?: { logRecords?: LogRecord[] }[] }[])
      for (const sl of rl.scopeLogs ?? [])
        for (const r of sl.logRecords ?? []) {
          const a = attrMap(r.attributes);
          out.push({ text: `${time(r.timeUnixNano || r.observedTimeUnixNano)} ${r.severityText || (r.severityNumber ? `sev${r.severityNumber}` : '-')} ${JSON.stringify(anyText(r.body))}${r.attributes?.length ? ` {${attrs(r.attributes)}}` : ''}`, attributes: a });
        }
  } else {
    for (const rs of (d.resourceSpans ?? []) as { scopeSpans?: { spans?: Span[] }[] }[])
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? []) {
          const dur = s.startTimeUnixNano && s.endTimeUnixNano ? Number((BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1000n) / 1000 : 0;
          out.push({ text: `${time(s.startTimeUnixNano)} span ${JSON.stringify(s.name)} trace=${s.traceId ?? ''} ${dur} ms${s.status?.code === 2 ? ' ERROR' : ''}` });
        }
  }
  return out;
}

export interface TapEvent {
  tap?: unknown;
  heartbeat?: string;
  end?: string;
  signal?: string;
  data?: unknown;
  dropped?: number;
  skipped?: number;
  pipeline?: string;
  direction?: string;
}

/** Reads an NDJSON tap stream until `signal` aborts or the agent ends it. */
export async function readTap(url: string, signal: AbortSignal, onEvent: (e: TapEvent) => void): Promise<void> {
  const res = await fetch(url, { credentials: 'same-origin', signal, cache: 'no-store' });
  if (!res.ok || !res.body) {
    let msg = `HTTP ${res.status}`;
    try {
      msg = ((await res.json()) as { error?: string }).error ?? msg;
    } catch {
      /* not JSON */
    }
    throw new Error(msg);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) onEvent(JSON.parse(line) as TapEvent);
    }
  }
}
