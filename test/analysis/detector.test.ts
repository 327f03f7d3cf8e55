import { describe, expect, it } from 'vitest';
import { getHeapStatistics } from 'node:v8';
import { AnomalyDetector, DETECTOR_BYTES } from '../../src/analysis/detector.js';
import { gauss, rng } from './helpers.js';

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
    expect(DETECTOR_BYTES).toBeLessThan(4096);
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
