// The fast log encoders (JSON bytes, protobuf with sized length slots) against independent
// decoders, at the size boundaries where their shortcuts change path.
import { describe, expect, it } from 'vitest';
import { decodeProto, encodeProto } from '../../src/otlp/index.js';
import { encodeJsonBytes } from '../../src/otlp/json-encode.js';
import type { LogRecord, LogsData } from '../../src/pdata/types.js';
import { officialDecode } from './official-schema.js';

const ASCII = 'The quick brown fox jumps over the lazy dog 0123456789 ';
function text(n: number, extra: string): string {
  let s = '';
  while (s.length < n) s += ASCII;
  return s.slice(0, Math.max(0, n - extra.length)) + extra;
}

// Lengths around the JSON native-copy threshold (24) and the protobuf slot sizes (43, 128, 5462).
const LENGTHS = [0, 1, 24, 25, 42, 43, 127, 128, 129, 5461, 5462, 20000];
const TAILS = ['', 'é', '€', '😀', '"\\\n\t\u0001\u007f', '\ud800', 'x\udc00y', '\u2028'];

function logs(records: LogRecord[]): LogsData {
  return { resourceLogs: [{ resource: { attributes: { 'host.name': 'h' } }, scopeLogs: [{ scope: { name: 's' }, logRecords: records }] }] };
}

function records(): LogRecord[] {
  const out: LogRecord[] = [];
  let i = 0;
  for (const n of LENGTHS)
    for (const t of TAILS) {
      i++;
      // Half of them plain (a raw line), half with other fields set.
      const plain = i % 2 === 0;
      out.push({
        timeUnixNano: plain ? 0n : BigInt(i) * 1_000_000_007n,
        observedTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i % 3),
        severityNumber: plain ? 0 : 9,
        severityText: plain ? undefined : 'INFO',
        body: text(n, t),
        attributes: plain ? {} : { k: text(n, t), n: 1.5, i: -3n },
        flags: plain ? undefined : 1,
      });
    }
  return out;
}

/** What a string becomes after a UTF-8 round trip (lone surrogates turn into U+FFFD). */
const utf8 = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe('log encoders at path boundaries', () => {
  it('OTLP/JSON bytes parse back to the same records, escaped as JSON.stringify escapes', () => {
    const recs = records();
    const bytes = encodeJsonBytes('logs', logs(recs), '\n');
    expect(bytes[bytes.length - 1]).toBe(10);
    const text = bytes.toString('utf8');
    const parsed = JSON.parse(text) as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };
    const got = parsed.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(got).toHaveLength(recs.length);
    recs.forEach((r, i) => {
      const g = got[i]!;
      // proto3 JSON: fields at their default value are left out.
      expect(g.timeUnixNano).toBe(r.timeUnixNano === 0n ? undefined : String(r.timeUnixNano));
      expect(g.observedTimeUnixNano).toBe(String(r.observedTimeUnixNano));
      expect((g.body as { stringValue: string }).stringValue).toBe(r.body);
      expect(text).toContain(`"stringValue":${JSON.stringify(r.body)}`);
      if (Object.keys(r.attributes).length === 0) expect(g.attributes).toBeUndefined();
      else expect(g.attributes).toHaveLength(Object.keys(r.attributes).length);
      expect(g.flags).toBe(r.flags);
    });
  });

  it('protobuf decodes back (own decoder and the official schema) with every length prefix right', () => {
    const recs = records();
    const bytes = encodeProto('logs', logs(recs));
    const back = decodeProto('logs', bytes).resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(back).toHaveLength(recs.length);
    recs.forEach((r, i) => {
      expect(back[i]!.body).toBe(utf8(r.body as string));
      expect(back[i]!.observedTimeUnixNano).toBe(r.observedTimeUnixNano);
      expect(back[i]!.timeUnixNano).toBe(r.timeUnixNano);
      if (!r.severityNumber) expect(Object.keys(back[i]!.attributes)).toHaveLength(0);
      else expect(back[i]!.attributes.k).toBe(utf8(r.attributes.k as string));
    });
    const official = officialDecode('logs', bytes) as { resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
    expect(official.resourceLogs[0]!.scopeLogs[0]!.logRecords).toHaveLength(recs.length);
  });

  it('small and large batches in a row are encoded independently (fresh buffers)', () => {
    const big = encodeProto('logs', logs(records()));
    const copy = Buffer.from(big);
    const small = encodeProto('logs', logs([{ timeUnixNano: 0n, observedTimeUnixNano: 1n, severityNumber: 0, body: 'x', attributes: {} }]));
    expect(Buffer.from(big).equals(copy)).toBe(true);
    expect(decodeProto('logs', small).resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.body).toBe('x');
    const j1 = encodeJsonBytes('logs', logs(records()));
    const j1copy = Buffer.from(j1);
    encodeJsonBytes('logs', logs([{ timeUnixNano: 0n, observedTimeUnixNano: 1n, severityNumber: 0, body: 'y', attributes: {} }]));
    expect(j1.equals(j1copy)).toBe(true);
  });
});
