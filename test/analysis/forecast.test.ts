import { describe, expect, it } from 'vitest';
import { FORECASTER_BYTES, TrendForecaster } from '../../src/analysis/forecast.js';
import { gauss, rng } from './helpers.js';

const H = 3600;
const DAY = 86_400;

describe('TrendForecaster', () => {
  it('needs a few points, and reports Infinity for a flat or shrinking series', () => {
    const f = new TrendForecaster(DAY);
    f.update(0, 10);
    f.update(60, 10);
    expect(f.forecast(100)).toBeUndefined();
    for (let i = 2; i < 50; i++) f.update(i * 60, 10 - i * 0.01);
    expect(f.forecast(100)!.seconds).toBe(Infinity);
  });

  it('forecasts a noisy linear fill within 5% with high confidence', () => {
    const r = rng(5);
    const f = new TrendForecaster(3 * DAY);
    // 100 units, +1/h from 20: at t = 40h, 40 h left.
    for (let t = 0; t <= 40 * H; t += 60) f.update(t, 20 + t / H + gauss(r) * 0.3);
    const fc = f.forecast(100)!;
    expect(Math.abs(fc.seconds - 40 * H) / (40 * H)).toBeLessThan(0.05);
    expect(fc.confidence).toBeGreaterThan(0.95);
    expect(fc.slope * H).toBeCloseTo(1, 1);
  });

  it('sees through a daily cycle and reports the first peak that reaches the limit', () => {
    const f = new TrendForecaster(3 * DAY);
    // Trend +5/day from 30, cycle amplitude 5 with peak at 06:00 each day.
    const at = (t: number) => 30 + (5 * t) / DAY + 5 * Math.sin((2 * Math.PI * t) / DAY);
    for (let t = 0; t <= 4 * DAY; t += 300) f.update(t, at(t));
    const fc = f.forecast(100)!;
    // True first crossing by brute force.
    let truth = 0;
    for (let t = 4 * DAY; ; t += 60) if (at(t) >= 100) { truth = t - 4 * DAY; break; }
    expect(Math.abs(fc.seconds - truth) / truth).toBeLessThan(0.05);
    // A line-only fit would have said (100 - 50) / 5 days = 10 days.
    expect(fc.seconds).toBeLessThan(9.5 * DAY);
  });

  it('ignores out-of-order and non-finite points', () => {
    const f = new TrendForecaster(DAY);
    for (let i = 0; i < 20; i++) f.update(i * 60, i);
    f.update(5 * 60, 1000);
    f.update(21 * 60, NaN);
    expect(f.count).toBe(20);
    expect(f.forecast(100)!.seconds).toBeCloseTo((100 - 19) * 60, -1);
  });

  it('states a small memory bound', () => {
    expect(FORECASTER_BYTES).toBeLessThan(512);
  });
});
