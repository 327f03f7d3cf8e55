import { describe, expect, it } from 'vitest';
import { jsonCodec, protoCodec, v8Codec } from '../../src/exporterhelper/index.js';
import type { LogsData } from '../../src/pdata/types.js';
import { logs } from './fixtures.js';

const tricky: LogsData = logs('c', 2);
const rec = tricky.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
rec.attributes = {
  big: -9_223_372_036_854_775_808n,
  nan: NaN,
  inf: Infinity,
  ninf: -Infinity,
  negzero: -0,
  bytes: new Uint8Array([0, 255, 7]),
  list: [1, 'two', null, true, 3n, { nested: new Uint8Array([1]) }],
  $n: 'a user key that looks like a tag',
  kv: { $u: 'not base64!', $$x: 1, plain: 'x' },
};
rec.body = { $f: 'NaN' };

describe('codecs', () => {
  for (const codec of [jsonCodec, v8Codec, protoCodec])
    it(`${codec.name} round-trips bigint, bytes, NaN/±Infinity/-0 and $-keys exactly`, () => {
      const bytes = codec.encode('logs', tricky);
      const back = codec.decode('logs', bytes);
      expect(back).toEqual(tricky);
      const a = back.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.attributes;
      expect(Object.is(a.negzero, -0)).toBe(true);
      expect(a.bytes).toBeInstanceOf(Uint8Array);
      expect(typeof a.big).toBe('bigint');
      expect(back.resourceLogs[0]!.scopeLogs[0]!.logRecords[1]!.traceId).toEqual(new Uint8Array(16).fill(1));
    });
});
