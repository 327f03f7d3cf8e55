import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/probabilistic_sampler/index.js';
import { bucketOf, fnv1a32, fnv1a32String, scaledRate } from '../../processors/probabilistic_sampler/hash.js';
import { allLogs, allSpans, hexId, log, logs, make, metricValue, parseConfig, span, traces } from './helpers.js';
import { randomBytes } from 'node:crypto';

// Expected values were derived independently with a plain Python FNV-1a (offset 0x811c9dc5,
// prime 0x01000193) over struct.pack('<I', seed) + bytes.fromhex(trace_id), bucket = hash & 0x3fff.
const VECTORS: [number, string, number, number][] = [
  [0, '00000000000000000000000000000000', 0xb9fee455, 9301],
  [0, '4bf92f3577b34da6a3ce929d0e0e4736', 0x3420408d, 141],
  [0, 'ffffffffffffffffffffffffffffffff', 0x291a1545, 5445],
  [1, '0102030405060708090a0b0c0d0e0f10', 0x067347d4, 2004],
  [22, '4bf92f3577b34da6a3ce929d0e0e4736', 0x5610306b, 12395],
  [22, '5b8efff798038103d269b633813fc60c', 0xa2a64cc9, 3273],
  [0xdeadbeef, '0102030405060708090a0b0c0d0e0f10', 0x6bcb41ab, 427],
  [0xdeadbeef, '00000000000000000000000000000000', 0x9abda88b, 10379],
];

describe('hash_seed mode hash', () => {
  it('is FNV-1a 32 over the published test vector', () => {
    // Seed bytes little endian "foob" followed by "ar" hash as "foobar": 0xbf9cf968 (FNV spec vector).
    const seed = Buffer.from('foob').readUInt32LE(0);
    expect(fnv1a32(Buffer.from('ar'), seed)).toBe(0xbf9cf968);
  });

  it('hashes strings as their UTF-8 bytes', () => {
    for (const str of ['alice', '', 'Zoë Müller', '東京', 'emoji 🎉'])
      expect(fnv1a32String(str, 22)).toBe(fnv1a32(Buffer.from(str, 'utf8'), 22));
  });

  it.each(VECTORS)('seed %i trace %s', (seed, id, hash, bucket) => {
    expect(fnv1a32(hexId(id), seed)).toBe(hash);
    expect(bucketOf(hexId(id), seed)).toBe(bucket);
  });

  it('scales the percentage like the Collector (float32, 16384 buckets)', () => {
    expect(scaledRate(10)).toBe(1638);
    expect(scaledRate(33.3)).toBe(5455);
    // float32(65.802) * 163.84 truncates to 10781; in float64 it would be 10780.
    expect(scaledRate(65.802)).toBe(10781);
    expect(scaledRate(0)).toBe(0);
    expect(scaledRate(100)).toBe(16384);
  });
});

describe('probabilistic_sampler traces', () => {
  it('keeps exactly the spans whose bucket is below the threshold', async () => {
    // threshold for 57.5% = trunc(57.5 * 163.84) = 9420: buckets 9301 and 141 and 5445 kept at seed 0.
    const { p, sink, set } = await make(factory, { sampling_percentage: 57.5 }, 'traces');
    const ids = VECTORS.filter((v) => v[0] === 0).map((v) => v[1]);
    ids.push('0102030405060708090a0b0c0d0e0f10', '5b8efff798038103d269b633813fc60c'); // buckets 6693, 5855 at seed 0
    await p.consume(traces(ids.map((id) => span('s', id))));
    const kept = allSpans(sink.batches).map((s) => Buffer.from(s.traceId).toString('hex'));
    expect(kept.sort()).toEqual([...ids].sort());
    const { p: p2, sink: sink2, set: set2 } = await make(factory, { sampling_percentage: 40 }, 'traces'); // 6553
    await p2.consume(traces(ids.map((id) => span('s', id))));
    const kept2 = allSpans(sink2.batches).map((s) => Buffer.from(s.traceId).toString('hex'));
    expect(kept2.sort()).toEqual(['4bf92f3577b34da6a3ce929d0e0e4736', 'ffffffffffffffffffffffffffffffff', '5b8efff798038103d269b633813fc60c'].sort());
    expect(metricValue(set2, 'telemd_processor_dropped_items_total', { signal: 'traces' })).toBe(2);
    expect(metricValue(set, 'telemd_processor_dropped_items_total')).toBe(0);
  });

  it('gives every span of a trace the same decision and samples about the requested share', async () => {
    const { p, sink } = await make(factory, { sampling_percentage: 25, hash_seed: 7 }, 'traces');
    const spans = [];
    for (let i = 0; i < 4000; i++) {
      const id = randomBytes(16).toString('hex');
      for (let j = 0; j < 3; j++) spans.push(span(`s${j}`, id));
    }
    await p.consume(traces(spans));
    const kept = allSpans(sink.batches);
    const perTrace = new Map<string, number>();
    for (const s of kept) perTrace.set(Buffer.from(s.traceId).toString('hex'), (perTrace.get(Buffer.from(s.traceId).toString('hex')) ?? 0) + 1);
    expect([...perTrace.values()].every((n) => n === 3)).toBe(true);
    // 4000 traces at 25%: expect 1000, sd ~27; allow 6 sd.
    expect(Math.abs(perTrace.size - 1000)).toBeLessThan(165);
  });

  it('honours sampling.priority on spans', async () => {
    const { p, sink } = await make(factory, { sampling_percentage: 0 }, 'traces');
    await p.consume(traces([span('a', undefined, { 'sampling.priority': 1n }), span('b'), span('c', undefined, { 'sampling.priority': 0n })]));
    expect(allSpans(sink.batches).map((s) => s.name)).toEqual(['a']);
  });

  it('an all-dropped batch resolves without reaching downstream', async () => {
    const { p, sink } = await make(factory, { sampling_percentage: 0 }, 'traces');
    await expect(p.consume(traces([span('a')]))).resolves.toBeUndefined();
    expect(sink.batches).toHaveLength(0);
  });
});

describe('probabilistic_sampler logs', () => {
  it('samples by trace id, then by from_attribute, and fails closed without either', async () => {
    const { p, sink, set } = await make(factory, { sampling_percentage: 40, from_attribute: 'user' }, 'logs');
    await p.consume(
      logs([
        log('kept by trace', {}, { traceId: hexId('4bf92f3577b34da6a3ce929d0e0e4736') }), // bucket 141
        log('dropped by trace', {}, { traceId: hexId('00000000000000000000000000000000') }), // bucket 9301
        log('by attribute', { user: 'alice' }),
        log('no randomness'),
      ]),
    );
    const bodies = allLogs(sink.batches).map((l) => l.body);
    expect(bodies).toContain('kept by trace');
    expect(bodies).not.toContain('dropped by trace');
    expect(bodies).not.toContain('no randomness');
    // The attribute decision is the hash of its UTF-8 bytes.
    const attrKept = bucketOf(Buffer.from('alice'), 0) < scaledRate(40);
    expect(bodies.includes('by attribute')).toBe(attrKept);
    expect(metricValue(set, 'telemd_sampler_missing_randomness_items_total')).toBe(1);
  });

  it('attribute_source record hashes the attribute even when a trace id exists', async () => {
    const { p, sink } = await make(factory, { sampling_percentage: 50, attribute_source: 'record', from_attribute: 'k' }, 'logs');
    const recs = [];
    for (let i = 0; i < 200; i++) recs.push(log(`r${i}`, { k: `v${i % 20}` }, { traceId: randomBytes(16) }));
    await p.consume(logs(recs));
    const kept = allLogs(sink.batches);
    // Same attribute value, same decision.
    const byKey = new Map<string, Set<boolean>>();
    const keptSet = new Set(kept.map((l) => l.body));
    recs.forEach((r) => {
      const k = String(r.attributes.k);
      if (!byKey.has(k)) byKey.set(k, new Set());
      byKey.get(k)!.add(keptSet.has(r.body as string));
    });
    expect([...byKey.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('sampling_priority overrides the percentage per record; fail_closed false keeps some unhashed records', async () => {
    const { p, sink } = await make(factory, { sampling_percentage: 0, sampling_priority: 'prio', fail_closed: false }, 'logs');
    await p.consume(logs([log('always', { prio: 100n }), log('never', { prio: 0 }), log('plain')]));
    expect(allLogs(sink.batches).map((l) => l.body)).toEqual(['always']);
    const { p: p2, sink: s2 } = await make(factory, { sampling_percentage: 50, fail_closed: false }, 'logs');
    await p2.consume(logs(Array.from({ length: 400 }, (_, i) => log(`x${i}`))));
    const n = allLogs(s2.batches).length;
    expect(n).toBeGreaterThan(120);
    expect(n).toBeLessThan(280);
  });

  it('rejects bad configs with clear messages', () => {
    expect(() => parseConfig(factory, { sampling_percentage: 120 })).toThrow(/<= 100/);
    expect(() => parseConfig(factory, {})).toThrow(/sampling_percentage: is required/);
    expect(() => parseConfig(factory, { sampling_percentage: 5, attribute_source: 'record' })).toThrow(/from_attribute/);
    expect(() => parseConfig(factory, { sampling_percentage: 5, mode: 'proportional' })).toThrow(/hash_seed/);
  });
});
