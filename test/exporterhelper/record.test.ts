import { describe, expect, it } from 'vitest';
import { encodeRecord, HEADER, crc32 } from '../../src/exporterhelper/record.js';
import { scanSegment } from '../../src/exporterhelper/scan.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function segment(n: number, r: () => number): { buf: Buffer; spans: [number, number][] } {
  const parts: Buffer[] = [];
  const spans: [number, number][] = [];
  let off = 0;
  for (let i = 0; i < n; i++) {
    const payload = Buffer.alloc(1 + Math.floor(r() * 300), i & 255);
    const rec = encodeRecord(i, i % 7, 3, payload);
    parts.push(rec);
    spans.push([off, off + rec.length]);
    off += rec.length;
  }
  return { buf: Buffer.concat(parts), spans };
}

describe('queue records', () => {
  it('uses the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('finds every record of an intact segment', () => {
    const { buf } = segment(100, rng(1));
    const { records, damage } = scanSegment(buf, -1);
    expect(records.map((x) => x.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(damage).toEqual([]);
    expect(records[5]).toMatchObject({ items: 5, codec: 3 });
  });

  it('under random damage: never returns a damaged record, never loses an untouched one', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const { buf, spans } = segment(40, r);
      const touched = new Set<number>();
      const hits = 1 + Math.floor(r() * 4);
      for (let h = 0; h < hits; h++) {
        const at = Math.floor(r() * buf.length);
        const len = 1 + Math.floor(r() * 40);
        for (let k = at; k < Math.min(buf.length, at + len); k++) buf[k] = Math.floor(r() * 256);
        spans.forEach(([a, b], i) => {
          if (at < b && at + len > a) touched.add(i);
        });
      }
      let cut = buf.length;
      if (r() < 0.5) {
        cut = Math.floor(r() * buf.length);
        spans.forEach(([, b], i) => {
          if (b > cut) touched.add(i);
        });
      }
      const { records } = scanSegment(buf.subarray(0, cut), -1);
      const found = new Set(records.map((x) => x.seq));
      for (const x of records) {
        const [a, b] = spans[x.seq]!;
        expect(x.offset).toBe(a);
        expect(x.length).toBe(b - a);
        expect(buf.subarray(a + HEADER, b).every((v) => v === (x.seq & 255))).toBe(true);
      }
      for (let i = 0; i < spans.length; i++) if (!touched.has(i)) expect(found.has(i)).toBe(true);
    }
  });
});
