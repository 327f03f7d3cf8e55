import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson, OtlpDecodeError } from '../../src/otlp/index.js';
import { logsFixture, metricsFixture, tracesFixture } from './fixtures.js';

describe('OTLP/JSON codec', () => {
  it('round-trips every field of metrics, logs and traces', () => {
    for (const [sig, data] of [['metrics', metricsFixture(2)], ['logs', logsFixture(2)], ['traces', tracesFixture(2)]] as const) {
      const text = encodeJson(sig, data);
      expect(text).not.toContain('\n');
      expect(decodeJson(sig, text)).toEqual(data);
    }
  });

  it('escapes quotes, control characters and lone surrogates in values and keys', () => {
    const d = logsFixture(1);
    const rec = d.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    rec.attributes = { 'k"ey\\': 'a"b\\c\nd\u0001e\ud800f', plain: 'ok' };
    rec.body = '\u2028 line\r\n"end"';
    const text = encodeJson('logs', d);
    expect(() => JSON.parse(text)).not.toThrow();
    expect(decodeJson('logs', text)).toEqual(d);
  });

  it('follows the OTLP JSON rules: hex ids, int64 strings, enums as ints, camelCase', () => {
    const t = JSON.parse(encodeJson('traces', tracesFixture(1, 1)));
    const span = t.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.startTimeUnixNano).toBe('1700000000000000000');
    expect(span.kind).toBe(0);
    expect(span.status).toEqual({ code: 2, message: 'boom' });
    const big = span.attributes.find((a: { key: string }) => a.key === 'big');
    expect(big.value).toEqual({ intValue: '9223372036854775807' });
  });

  it('accepts int64 as numbers, enum names and ignores unknown fields', () => {
    const text = JSON.stringify({
      resourceSpans: [{ unknownField: 1, scopeSpans: [{ spans: [{ traceId: 'AB'.repeat(16), spanId: '01'.repeat(8),
        name: 'x', kind: 'SPAN_KIND_SERVER', startTimeUnixNano: 5, endTimeUnixNano: '6', status: { code: 'STATUS_CODE_OK' },
        attributes: [{ key: 'i', value: { intValue: 7 } }], extra: { deep: true } }] }] }],
    });
    const d = decodeJson('traces', text);
    const s = d.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(s.kind).toBe(2);
    expect(s.status.code).toBe(1);
    expect(s.startTimeUnixNano).toBe(5n);
    expect(s.attributes.i).toBe(7n);
    expect(s.traceId[0]).toBe(0xab);
  });

  it('throws OtlpDecodeError on malformed input', () => {
    const bad = [
      '{', '[]', '{"resourceSpans": 5}', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1e3"}]}]}]}',
      '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{"dataPoints":[{"asInt":"99999999999999999999"}]}}]}]}]}',
    ];
    const sigs = ['traces', 'traces', 'traces', 'traces', 'logs', 'metrics'] as const;
    bad.forEach((b, i) => expect(() => decodeJson(sigs[i]!, b)).toThrow(OtlpDecodeError));
  });

  it('limits nesting depth and keeps __proto__ keys as data', () => {
    let v = '{"stringValue":"x"}';
    for (let i = 0; i < 200; i++) v = `{"arrayValue":{"values":[${v}]}}`;
    const deep = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${v}}]}]}]}`;
    expect(() => decodeJson('logs', deep)).toThrow(/nested deeper/);
    const proto = '{"resourceLogs":[{"resource":{"attributes":[{"key":"__proto__","value":{"stringValue":"p"}}]}}]}';
    const d = decodeJson('logs', proto);
    const attrs = d.resourceLogs[0]!.resource.attributes;
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs)).toEqual(['__proto__']);
  });
});
