import { describe, expect, it } from 'vitest';
import { decodeProto, encodeJson, encodeProto, OtlpDecodeError } from '../../src/otlp/index.js';
import { logsFixture, metricsFixture, tracesFixture } from './fixtures.js';
import { canonical, officialDecode, officialRequest } from './official-schema.js';

// Metric.metadata, LogRecord.event_name (both field 12), Span.flags (16) and Link.flags (6)
// are newer than the 0.57 schema,
// which skips them as unknown fields; they are covered by the round-trip tests.
function withoutMetadata(): ReturnType<typeof metricsFixture> {
  const m = metricsFixture(2);
  for (const rm of m.resourceMetrics) for (const sm of rm.scopeMetrics) for (const x of sm.metrics) delete x.metadata;
  return m;
}

const cases = [
  ['metrics', metricsFixture(2)],
  ['logs', logsFixture(2)],
  ['traces', tracesFixture(2)],
] as const;
function withoutEventName(): ReturnType<typeof logsFixture> {
  const l = logsFixture(2);
  for (const rl of l.resourceLogs) for (const sl of rl.scopeLogs) for (const x of sl.logRecords) delete x.eventName;
  return l;
}
function withoutSpanFlags(): ReturnType<typeof tracesFixture> {
  const t = tracesFixture(2);
  for (const rs of t.resourceSpans)
    for (const ss of rs.scopeSpans)
      for (const x of ss.spans) {
        delete x.flags;
        for (const l of x.links) delete l.flags;
      }
  return t;
}
const officialCases = [['metrics', withoutMetadata()], ['logs', withoutEventName()], ['traces', withoutSpanFlags()]] as const;

describe('OTLP protobuf codec', () => {
  it('round-trips every field', () => {
    for (const [sig, data] of cases) expect(decodeProto(sig, encodeProto(sig, data))).toEqual(data);
  });

  it('matches the official opentelemetry-proto schema field by field', () => {
    for (const [sig, data] of officialCases) {
      const official = canonical(officialDecode(sig, encodeProto(sig, data)));
      const ours = canonical(JSON.parse(encodeJson(sig, data)));
      expect(official).toEqual(ours);
    }
  });

  it('decodes what the official schema encodes', () => {
    for (const [sig, data] of officialCases) {
      const T = officialRequest[sig];
      const bytes = T.encode(T.decode(encodeProto(sig, data))).finish();
      expect(decodeProto(sig, bytes)).toEqual(data);
    }
  });

  it('handles large messages (multi-byte lengths) and long strings', () => {
    const t = tracesFixture(3, 400);
    t.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name = 'x'.repeat(100_000) + 'é';
    expect(decodeProto('traces', encodeProto('traces', t))).toEqual(t);
  });

  it('throws OtlpDecodeError on truncated, over-long and mistyped input', () => {
    const good = encodeProto('traces', tracesFixture(1, 2));
    for (let cut = 1; cut < good.length; cut += 7) {
      try {
        decodeProto('traces', good.subarray(0, cut));
      } catch (e) {
        expect(e).toBeInstanceOf(OtlpDecodeError);
      }
    }
    expect(() => decodeProto('traces', Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(OtlpDecodeError);
    expect(() => decodeProto('traces', Uint8Array.from([0x08, 0x01]))).toThrow(/wire type/);
    expect(() => decodeProto('logs', Uint8Array.from([0x0b]))).toThrow(OtlpDecodeError);
    expect(() => decodeProto('logs', Uint8Array.from(Array(11).fill(0xff)))).toThrow(OtlpDecodeError);
  });

  it('limits AnyValue nesting depth', () => {
    let av = Uint8Array.from([0x0a, 0x01, 0x78]);
    for (let i = 0; i < 100; i++) {
      const arrv = Uint8Array.from([0x0a, ...varint(av.length), ...av]);
      av = Uint8Array.from([0x2a, ...varint(arrv.length), ...arrv]);
    }
    const log = Uint8Array.from([0x2a, ...varint(av.length), ...av]);
    const sl = Uint8Array.from([0x12, ...varint(log.length), ...log]);
    const rl = Uint8Array.from([0x12, ...varint(sl.length), ...sl]);
    const req = Uint8Array.from([0x0a, ...varint(rl.length), ...rl]);
    expect(() => decodeProto('logs', req)).toThrow(/nested deeper/);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

describe('id lengths', () => {
  it('refuses trace/span ids of the wrong length, as the Collector does', () => {
    const t = tracesFixture(1, 1);
    const bad = Uint8Array.from([0x0a, 0x0a, 0x12, 0x08, 0x12, 0x06, 0x22, 0x04, 1, 2, 3, 4]);
    expect(() => decodeProto('traces', bad)).toThrow(/parent_span_id must be 8 bytes/);
    // ...and never emits them: a wrong-length id from a buggy producer is left out, the span kept.
    t.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.parentSpanId = new Uint8Array(65);
    const back = decodeProto('traces', encodeProto('traces', t)).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(back.parentSpanId).toBeUndefined();
    expect(back.name).toBe('op-0');
    expect(JSON.parse(encodeJson('traces', t)).resourceSpans[0].scopeSpans[0].spans[0].parentSpanId).toBeUndefined();
  });
});
