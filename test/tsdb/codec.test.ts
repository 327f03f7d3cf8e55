import { describe, expect, it } from 'vitest';
import { BitReader, BitWriter } from '../../src/tsdb/bits.js';
import { bestBuckets, decodeTimes, encodeTimes, MAX_INT } from '../../src/tsdb/intcodec.js';
import { decodeValues, encodeValues } from '../../src/tsdb/floatcodec.js';
import { isStaleNaN, STALE_NAN } from '../../src/promql/queryable.js';

function bits(v: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b.toString('hex');
}

/** Round trip, bit for bit (NaN payloads, -0 and the staleness marker included). */
function roundTrip(vs: number[]): Uint8Array {
  const enc = encodeValues(vs);
  const dec = decodeValues(enc);
  expect(dec.length).toBe(vs.length);
  for (let i = 0; i < vs.length; i++) if (bits(dec[i]!) !== bits(vs[i]!)) expect(`${i}: ${bits(dec[i]!)}`).toBe(`${i}: ${bits(vs[i]!)}`);
  return enc;
}

function times(ts: number[]): Uint8Array {
  const enc = encodeTimes(ts);
  expect(Array.from(decodeTimes(enc))).toEqual(ts);
  return enc;
}

// Deterministic pseudo-random numbers (xorshift), so a failure can be reproduced.
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

describe('bit streams', () => {
  it('write and read back widths of 0 to 53 bits', () => {
    const r = rng(7);
    const vals: [number, number][] = [];
    const w = new BitWriter(4);
    for (let i = 0; i < 5000; i++) {
      const n = Math.floor(r() * 54);
      const v = n === 0 ? 0 : Math.floor(r() * 2 ** n);
      vals.push([v, n]);
      w.writeWide(v, n);
    }
    const rd = new BitReader(w.finish());
    expect(vals.map(([, n]) => rd.readWide(n))).toEqual(vals.map(([v]) => v));
  });

  it('refuses to read past the end', () => {
    const w = new BitWriter();
    w.write(5, 3);
    const rd = new BitReader(w.finish());
    rd.read(8);
    expect(() => rd.read(1)).toThrow(RangeError);
  });
});

describe('bucket choice', () => {
  it('puts every residual in one bucket when all have the same length', () => {
    const hist = new Array(64).fill(0);
    hist[7] = 100;
    expect(bestBuckets(hist)).toEqual({ widths: [7], cost: 700 });
  });

  it('gives zeros a one-bit code when they dominate', () => {
    const hist = new Array(64).fill(0);
    hist[0] = 1000;
    hist[12] = 10;
    const b = bestBuckets(hist);
    expect(b.widths[0]).toBe(0);
    expect(b.cost).toBeLessThan(1000 * 1 + 10 * 14 + 1);
  });
});

describe('timestamp streams', () => {
  it('cost about a bit per sample on a regular grid, more with jitter, and stay exact', () => {
    const grid = Array.from({ length: 3600 }, (_, i) => 1_700_000_000_000 + i * 1000);
    expect(times(grid).length).toBeLessThan(60);
    const r = rng(3);
    const jitter = grid.map((t) => t + Math.floor(r() * 5));
    const j = times(jitter);
    expect(j.length).toBeLessThan(3600 * 0.6);
  });

  it('round-trip irregular, equal, decreasing, negative and huge timestamps', () => {
    const r = rng(11);
    times([]);
    times([42]);
    times([5, 5, 5, 5]);
    times([-1000, -999, 0, 7, 1e12, 1e12 + 1]);
    times([MAX_INT, -MAX_INT, MAX_INT, 0]);
    times(Array.from({ length: 1000 }, () => Math.floor((r() - 0.5) * 2 ** 40)));
    let t = 1_600_000_000_000;
    times(Array.from({ length: 2000 }, () => (t += Math.floor(r() ** 4 * 100_000))));
  });
});

describe('value streams', () => {
  it('round-trip NaN, ±Inf, -0, staleness markers, subnormals and extremes', () => {
    const odd = [NaN, Infinity, -Infinity, -0, 0, STALE_NAN, Number.MIN_VALUE, -Number.MAX_VALUE, Number.MAX_VALUE, 2 ** 53, -(2 ** 60), 1e-300];
    roundTrip(odd);
    // The same among ordinary integers (decimal coding with exceptions) and decimals.
    const ints = Array.from({ length: 200 }, (_, i) => i * 4096);
    ints[17] = NaN;
    ints[18] = STALE_NAN;
    ints[90] = Infinity;
    ints[199] = -0;
    const enc = roundTrip(ints);
    expect(enc.length).toBeLessThan(200 * 2);
    const dec = decodeValues(enc);
    expect(isStaleNaN(dec[18]!)).toBe(true);
    expect(isStaleNaN(dec[17]!)).toBe(false);
    expect(Number.isNaN(dec[17]!)).toBe(true);
  });

  it('round-trip random doubles of every magnitude (XOR coding)', () => {
    const r = rng(5);
    const buf = new DataView(new ArrayBuffer(8));
    const vs = Array.from({ length: 3000 }, () => {
      buf.setUint32(0, Math.floor(r() * 2 ** 32));
      buf.setUint32(4, Math.floor(r() * 2 ** 32));
      return buf.getFloat64(0);
    });
    roundTrip(vs);
    roundTrip(Array.from({ length: 3000 }, () => (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20)));
  });

  it('round-trip huge and negative integers, and decimals that are not exact', () => {
    const r = rng(9);
    roundTrip(Array.from({ length: 500 }, () => Math.floor((r() - 0.5) * 2 ** 52)));
    roundTrip(Array.from({ length: 500 }, (_, i) => -1e15 + i * 3));
    roundTrip(Array.from({ length: 500 }, (_, i) => 0.1 * i)); // 0.30000000000000004 and friends
    roundTrip(Array.from({ length: 500 }, () => Math.round(r() * 1e6) / 1000));
  });

  it('code a steady counter and a constant in a few bits per sample', () => {
    let c = 123456789;
    const r = rng(1);
    const counter = Array.from({ length: 3600 }, () => (c += 1000 + Math.floor(r() * 8)));
    expect(roundTrip(counter).length).toBeLessThan(3600 * 0.6);
    expect(roundTrip(new Array(3600).fill(42.5)).length).toBeLessThan(20);
    // CPU seconds in 1/100 s ticks: decimals with 2 digits.
    let ticks = 1234567;
    const cpu = Array.from({ length: 3600 }, () => (ticks += 95 + Math.floor(r() * 10)) / 100);
    expect(roundTrip(cpu).length).toBeLessThan(3600 * 0.7);
  });

  it('beat plain XOR on noisy decimals by coding them as integers', () => {
    const r = rng(2);
    const vs = Array.from({ length: 3600 }, () => Math.round((50 + r() * 10) * 1000) / 1000);
    const enc = roundTrip(vs);
    expect(enc.length).toBeLessThan(3600 * 2.2); // ~14 bits of noise per value; XOR needs ~6 bytes
  });
});

describe('decimals with binary artifacts', () => {
  it('code values a few ulps off a short decimal as the decimal plus a correction', () => {
    const r = rng(4);
    // 3-decimal readings computed as k * 0.001: many come out as 85.83500000000001.
    const vs = Array.from({ length: 3600 }, () => Math.round(40_000 + r() * 2000) * 0.001);
    const artifacts = vs.filter((v) => String(v).length > 8).length;
    expect(artifacts).toBeGreaterThan(300);
    const enc = roundTrip(vs);
    expect(enc.length).toBeLessThan(3600 * 2); // ~11 bits of noise each, plus the corrections
  });

  it('code ratios with up to 16 decimal places (0.0819647355164: 12 significant digits) as decimals, not XOR', () => {
    const r = rng(5);
    // Cost per click as a 12-digit ratio below 0.1: 13 decimal places.
    const vs = Array.from({ length: 1000 }, () => Number((0.01 + r() * 0.089).toPrecision(12)));
    expect(vs.filter((v) => String(v).length === 15).length).toBeGreaterThan(800);
    const enc = roundTrip(vs);
    // log2(1e11) ~ 37 bits of noise each; XOR of such doubles costs ~60.
    expect(enc.length * 8).toBeLessThan(1000 * 42);
  });
});
