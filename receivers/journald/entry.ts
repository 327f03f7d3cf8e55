// One `journalctl --output=json` line -> a log record: MESSAGE is the body, the other fields
// are attributes, PRIORITY gives the severity and __REALTIME_TIMESTAMP (µs) the time.
import type { AnyValue, Attributes, LogRecord } from '../../src/pdata/types.js';
import { SYSLOG_SEVERITY, SYSLOG_SEVERITY_TEXT } from '../../src/stanza/severity.js';

export interface ParsedEntry {
  record: LogRecord;
  cursor: string | undefined;
}

/** journalctl writes binary or over-long field values as arrays of byte values. */
function fieldValue(v: unknown): AnyValue {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return Buffer.from(v as number[]).toString('utf8');
  if (Array.isArray(v)) return v.map(fieldValue);
  if (v === null || v === undefined) return null;
  return String(v);
}

export function parseEntry(line: string, observed: bigint): ParsedEntry {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const attrs: Attributes = {};
  let body: AnyValue = '';
  let cursor: string | undefined;
  let time = 0n;
  let severityNumber = 0;
  let severityText: string | undefined;
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'MESSAGE':
        body = fieldValue(v);
        break;
      case '__CURSOR':
        cursor = typeof v === 'string' ? v : undefined;
        break;
      case '__REALTIME_TIMESTAMP':
        if (typeof v === 'string' && /^\d+$/.test(v)) time = BigInt(v) * 1000n;
        break;
      case 'PRIORITY': {
        const p = Number(v);
        if (Number.isInteger(p) && p >= 0 && p <= 7) {
          severityNumber = SYSLOG_SEVERITY[p]!;
          severityText = SYSLOG_SEVERITY_TEXT[p];
        }
        attrs[k] = fieldValue(v);
        break;
      }
      default:
        attrs[k] = fieldValue(v);
    }
  }
  const record: LogRecord = { timeUnixNano: time, observedTimeUnixNano: observed, severityNumber, body, attributes: attrs };
  if (severityText) record.severityText = severityText;
  return { record, cursor };
}
