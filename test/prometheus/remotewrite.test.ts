import { describe, expect, it } from 'vitest';
import { compressSync } from 'snappy';
import {
  buildWriteRequests, decodeWriteRequest, decompressWriteRequest, doubleBits, encodeWriteRequest, STALE_NAN_BITS,
  translateMetrics, type WriteRequest,
} from '../../src/prometheus/index.js';
import { cpuTime, md, T0 } from './fixtures.js';

describe('remote-write protobuf', () => {
  it('round-trips a WriteRequest, including the exact staleness NaN and metadata', () => {
    const req: WriteRequest = {
      timeseries: [
        { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'ä/x' }], samples: [{ value: 1.5, timestampMs: 1_700_000_000_123 }, { value: NaN, timestampMs: 1_700_000_001_000, stale: true }] },
        { labels: [{ name: '__name__', value: 'z' }], samples: [{ value: -0.25, timestampMs: 0 }] },
      ],
      metadata: [{ type: 'counter', familyName: 'x_total', help: 'h', unit: 'seconds' }],
    };
    const buf = encodeWriteRequest(req);
    const back = decodeWriteRequest(buf);
    expect(back.timeseries[0]!.labels).toEqual(req.timeseries[0]!.labels);
    expect(back.timeseries[0]!.samples[0]).toEqual({ value: 1.5, timestampMs: 1_700_000_000_123 });
    expect(back.timeseries[0]!.samples[1]!.stale).toBe(true);
    // The raw bits on the wire are Prometheus' StaleNaN.
    const idx = buf.indexOf(Buffer.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]));
    expect(idx).toBeGreaterThan(0);
    expect(back.timeseries[1]!.samples[0]!.value).toBe(-0.25);
    expect(back.metadata).toEqual(req.metadata);
    expect(decompressWriteRequest(compressSync(buf))).toEqual(back);
    expect(doubleBits(1)).not.toBe(STALE_NAN_BITS);
  });

  it('matches the protobuf wire format byte for byte on a small message', () => {
    const buf = encodeWriteRequest({ timeseries: [{ labels: [{ name: 'a', value: 'b' }], samples: [{ value: 1, timestampMs: 300 }] }], metadata: [] });
    // 0a <len> 0a 06 0a 01 'a' 12 01 'b' 12 0c 09 <1.0 LE> 10 ac 02
    expect(buf.toString('hex')).toBe('0a160a060a0161120162120c09000000000000f03f10ac02');
  });

  it('groups samples per series in timestamp order and splits at max bytes', () => {
    const fams = translateMetrics(md([cpuTime(T0 + 2_000_000_000n, 2, 2), cpuTime(T0 + 1_000_000_000n, 1, 1)])).families;
    const r = buildWriteRequests(fams, { metadata: true, maxBytes: 3_000_000 });
    expect(r.requests).toHaveLength(1);
    const cpu = r.requests[0]!.timeseries.filter((t) => t.labels.some((l) => l.value === 'system_cpu_time_seconds_total'));
    expect(cpu).toHaveLength(2);
    expect(cpu[0]!.samples.map((s) => s.value)).toEqual([1, 2]);
    expect(r.requests[0]!.metadata.map((m) => m.familyName)).toContain('system_cpu_time_seconds_total');
    const split = buildWriteRequests(fams, { metadata: false, maxBytes: 200 });
    expect(split.requests.length).toBeGreaterThan(1);
    expect(split.requests.flatMap((q) => q.timeseries)).toHaveLength(3);
  });

  it('refuses (and counts) series that break the label rules', () => {
    const r = buildWriteRequests(
      [{ name: 'x', type: 'gauge', help: '', unit: '', samples: [
        { labels: [{ name: '__name__', value: '1bad' }], value: 1, timestampMs: 1 },
        { labels: [{ name: '__name__', value: 'ok' }, { name: '__x', value: 'v' }], value: 1, timestampMs: 1 },
        { labels: [{ name: 'a', value: 'v' }], value: 1, timestampMs: 1 },
        { labels: [{ name: '__name__', value: 'ok' }, { name: 'a', value: 'v' }], value: 1, timestampMs: 1 },
      ] }],
      { metadata: false, maxBytes: 1e6 },
    );
    expect(r.invalid).toBe(3);
    expect(r.samples).toBe(1);
  });
});

describe('remote-write encoder vs protobufjs (independent peer)', () => {
  it('decodes identically and encodes byte for byte the same as protobufjs', async () => {
    const { prompb } = await import('./helpers/prompb.js');
    const fams = translateMetrics(md([cpuTime(T0, 1.25, 7)], { 'service.name': 'ä-svc', 'host.name': 'h' })).families;
    const req = buildWriteRequests(fams, { metadata: true, maxBytes: 1e6 }).requests[0]!;
    const mine = encodeWriteRequest(req);
    const peer = prompb.decode(mine).toJSON() as { timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: string }[] }[]; metadata: { metric_family_name: string; type: string }[] };
    expect(peer.timeseries.map((t) => t.labels)).toEqual(req.timeseries.map((t) => t.labels));
    expect(peer.timeseries.map((t) => t.samples.map((x) => [x.value, Number(x.timestamp)]))).toEqual(req.timeseries.map((t) => t.samples.map((x) => [x.value, x.timestampMs])));
    expect(peer.metadata.map((m) => [m.metric_family_name, m.type])).toContainEqual(['system_cpu_time_seconds_total', 'COUNTER']);
    const obj = {
      timeseries: req.timeseries.map((t) => ({ labels: t.labels, samples: t.samples.map((x) => ({ value: x.value, timestamp: x.timestampMs })) })),
      metadata: req.metadata.map((m) => ({ type: { counter: 1, gauge: 2 }[m.type as 'counter' | 'gauge'] ?? 0, metric_family_name: m.familyName, help: m.help, unit: m.unit })),
    };
    expect(Buffer.from(prompb.encode(prompb.fromObject(obj)).finish()).equals(mine)).toBe(true);
  });
});
