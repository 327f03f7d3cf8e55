import { describe, expect, it } from 'vitest';
import { getHeapStatistics } from 'node:v8';
import { AnomalyDetector, DETECTOR_BYTES } from '../../src/analysis/detector.js';
import { gauss, rng } from './helpers.js';
import { TailCalibrator } from '../../src/analysis/tail.js';
import { KnnDistance } from '../../src/analysis/knn.js';
import { ForecastError } from '../../src/analysis/predictors.js';
import { WindowLikelihood } from '../../src/analysis/likelihood.js';

const THR = 0.9;
const STEP = 300; // 5-minute points, as in NAB

function run(values: number[], start = 1_700_000_000): number[] {
  const d = new AnomalyDetector();
  return values.map((v, i) => d.update(start + i * STEP, v));
}

describe('AnomalyDetector', () => {
  it('emits no score during warm-up and stays in [0, 1]', () => {
    const r = rng(1);
    const s = run(Array.from({ length: 500 }, () => 10 + gauss(r)));
    expect(s.slice(0, 30).every((x) => x === 0)).toBe(true);
    expect(s.every((x) => x >= 0 && x <= 1)).toBe(true);
  });

  it('flags a spike in Gaussian noise and little else', () => {
    const r = rng(2);
    const v = Array.from({ length: 2000 }, () => 50 + 2 * gauss(r));
    v[1500] = 80;
    const s = run(v);
    expect(s[1500]).toBeGreaterThanOrEqual(THR);
    const fp = s.filter((x, i) => i >= 100 && (i < 1500 || i > 1520) && x >= THR).length;
    expect(fp).toBeLessThanOrEqual(5); // < 0.3% of normal points
  });

  it('detects a level shift within a few points', () => {
    const r = rng(3);
    const v = Array.from({ length: 1500 }, (_, i) => (i < 1200 ? 100 : 130) + 3 * gauss(r));
    const s = run(v);
    const first = s.findIndex((x, i) => i >= 1200 && x >= THR);
    expect(first).toBeGreaterThanOrEqual(1200);
    expect(first).toBeLessThan(1210);
    // Before the shift: quiet.
    expect(s.filter((x, i) => i > 100 && i < 1200 && x >= THR).length).toBeLessThanOrEqual(4);
  });

  it('learns a daily cycle: no alarms at its regular steps, alarm at daytime load at night', () => {
    const r = rng(4);
    const perDay = 86_400 / STEP;
    const days = 12;
    const v = Array.from({ length: perDay * days }, (_, i) => {
      const phase = (i % perDay) / perDay;
      // A sharp daily step (business hours) that only the seasonal profile can predict.
      const busy = phase > 0.35 && phase < 0.75 ? 40 : 0;
      return 20 + busy + gauss(r);
    });
    // Day 10, 02:00-04:00: the daytime level at night. Normal for the range, not for the hour.
    const night = 10 * perDay + Math.floor(perDay / 12);
    for (let i = night; i < night + perDay / 12; i++) v[i] = 60 + gauss(r);
    const s = run(v);
    const normal = s.filter((x, i) => i >= 4 * perDay && i < 10 * perDay && x >= THR).length;
    expect(normal).toBeLessThanOrEqual(2);
    const first = s.findIndex((x, i) => i >= night && x >= THR);
    expect(first).toBeGreaterThanOrEqual(night);
    expect(first).toBeLessThan(night + 6);
  });

  it('ignores non-finite values and survives a flat line', () => {
    const d = new AnomalyDetector();
    for (let i = 0; i < 500; i++) expect(d.update(i * 60, 7)).toBeLessThan(THR);
    expect(d.update(500 * 60, NaN)).toBe(0);
    expect(d.update(501 * 60, 7)).toBeLessThan(THR);
    expect(d.update(502 * 60, 9)).toBeGreaterThanOrEqual(THR);
  });

  it('keeps its state within the stated bound per series', () => {
    expect(DETECTOR_BYTES).toBeLessThanOrEqual(7168);
    const before = getHeapStatistics().used_heap_size;
    const keep: AnomalyDetector[] = [];
    for (let i = 0; i < 5000; i++) {
      const d = new AnomalyDetector();
      for (let k = 0; k < 10; k++) d.update(k * 60, k);
      keep.push(d);
    }
    const per = (getHeapStatistics().used_heap_size - before) / keep.length;
    // Heap growth includes garbage not yet collected, so this is an upper bound.
    expect(per).toBeLessThan(2 * DETECTOR_BYTES + 2048);
  });
});

describe('TailCalibrator (peaks over threshold)', () => {
  it('gives the same surprisal to the same rarity on a quiet and on a heavy-tailed series', () => {
    const r = rng(11);
    const quiet = new TailCalibrator();
    const heavy = new TailCalibrator();
    const qs: number[] = [];
    const hs: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const a = Math.abs(gauss(r));
      const b = Math.exp(2 * gauss(r)); // log-normal: far heavier tail
      quiet.update(a);
      heavy.update(b);
      qs.push(a);
      hs.push(b);
    }
    // The empirical 99.9% points of both: about 3 decades of surprisal each.
    const q999 = (xs: number[]) => xs.slice().sort((x, y) => x - y)[Math.floor(0.999 * xs.length)]!;
    expect(quiet.surprisal(q999(qs))).toBeGreaterThan(2.3);
    expect(quiet.surprisal(q999(qs))).toBeLessThan(4);
    expect(heavy.surprisal(q999(hs))).toBeGreaterThan(2.3);
    expect(heavy.surprisal(q999(hs))).toBeLessThan(4);
    // Typical values are not surprising; a value ten times the usual range is.
    expect(quiet.surprisal(0.5)).toBeLessThan(1);
    expect(quiet.surprisal(30)).toBeGreaterThan(8);
  });

  it('says nothing before it has seen enough', () => {
    const t = new TailCalibrator();
    for (let i = 0; i < 10; i++) t.update(1);
    expect(t.surprisal(1000)).toBe(0);
  });
});

describe('KnnDistance', () => {
  it('finds a regular spike normal once it has happened twice, and a new shape far', () => {
    const k = new KnnDistance({ dim: 8, history: 384, k: 2 });
    const d: number[] = [];
    for (let i = 0; i < 1000; i++) d.push(k.update(i % 100 === 50 ? 10 : 0));
    // Spikes every 100 points: the first two are far (k = 2 wants two look-alikes), later ones
    // have exact neighbours in memory.
    expect(d[50]).toBeGreaterThan(1);
    expect(d[150]).toBeGreaterThan(1);
    expect(d[950]).toBe(0);
    // A step that never happened: far from every window.
    const k2 = new KnnDistance({ dim: 8, history: 384, k: 2 });
    let last = 0;
    for (let i = 0; i < 500; i++) last = k2.update(i < 495 ? Math.sin(i / 5) : 5);
    expect(last).toBeGreaterThan(3);
  });
});

describe('ForecastError level measure', () => {
  it('ignores one- and two-point spikes but shows a sustained shift', () => {
    const f = new ForecastError();
    const r = rng(12);
    const level: number[] = [];
    for (let i = 0; i < 1200; i++) {
      const spike = i % 97 === 0 || i % 97 === 1 ? 80 : 0;
      const shift = i >= 1100 ? 30 : 0;
      f.update(1_700_000_000 + i * 300, 10 + 2 * gauss(r) + spike + shift);
      level.push(f.level);
    }
    const spikes = level.filter((_, i) => i > 100 && i < 1100 && i % 97 <= 2);
    expect(Math.max(...spikes)).toBeLessThan(4);
    expect(Math.max(...level.slice(1102, 1110))).toBeGreaterThan(10);
  });
});

describe('WindowLikelihood', () => {
  it('turns a sustained rise of the raw measure into a small tail probability', () => {
    const l = new WindowLikelihood();
    const r = rng(13);
    let p = 1;
    for (let i = 0; i < 2000; i++) p = l.update(Math.abs(gauss(r)));
    expect(p).toBeGreaterThan(0.001);
    for (let i = 0; i < 8; i++) p = l.update(6);
    expect(p).toBeLessThan(1e-6);
  });
});

describe('LruMap (CLOCK eviction)', () => {
  it('keeps entries read since they last came round and evicts one that was not', async () => {
    const { LruMap } = await import('../../src/analysis/series.js');
    const m = new LruMap<number>(3);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    m.get('a'); // a gets a second chance
    expect(m.set('d', 4)).toBe(1);
    expect(m.get('b')).toBeUndefined();
    expect([m.get('a'), m.get('c'), m.get('d')]).toEqual([1, 3, 4]);
    expect(m.size).toBe(3);
    // All read: one full round of second chances, then the oldest goes.
    expect(m.set('e', 5)).toBe(1);
    expect(m.size).toBe(3);
  });
});
