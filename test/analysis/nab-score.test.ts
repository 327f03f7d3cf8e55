import { describe, expect, it } from 'vitest';
import { PROFILES, scoreCorpus, type ScoredFile } from '../../bench/nab/score.js';

const MIN = 60_000;
const standard = PROFILES[0]!;

/** 1000 rows, one window over rows 500..549, plus a file without windows. */
function corpus(fire: (i: number) => boolean): ScoredFile[] {
  const times = Array.from({ length: 1000 }, (_, i) => i * MIN);
  return [
    { name: 'a', times, scores: times.map((_, i) => (fire(i) ? 1 : 0)), windows: [[500 * MIN, 549 * MIN]] },
    { name: 'b', times, scores: times.map(() => 0), windows: [] },
  ];
}

describe('NAB scorer', () => {
  it('scores a perfect detector 100 and the null detector 0', () => {
    expect(scoreCorpus(corpus((i) => i === 500), standard).normalized).toBeCloseTo(100, 6);
    expect(scoreCorpus(corpus(() => false), standard).normalized).toBe(0);
  });

  it('rewards an early detection more than a late one (scaled sigmoid)', () => {
    const late = scoreCorpus(corpus((i) => i === 540), standard);
    // y = -(549 - 540 + 1) / 50 = -0.2: sigma = 2/(1+e^-1) - 1, rescaled by sigma(-1).
    const sig = (y: number) => 2 / (1 + Math.exp(5 * y)) - 1;
    const tp = sig(-0.2) / sig(-1);
    expect(late.raw).toBeCloseTo(tp, 6);
    expect(late.normalized).toBeCloseTo((100 * (tp + 1)) / 2, 6);
  });

  it('ignores the probationary period and charges a full FP cost far from windows', () => {
    // Row 100 < 0.15 * 1000: not scored at all.
    expect(scoreCorpus(corpus((i) => i === 100 || i === 500), standard).raw).toBeCloseTo(1, 6);
    // A detection in the window-less file costs A_FP, so the best threshold skips it... unless
    // it is the only way to detect the window: here both fire at the same score.
    const both: ScoredFile[] = corpus((i) => i === 500);
    both[1]!.scores[700] = 1;
    expect(scoreCorpus(both, standard).raw).toBeCloseTo(1 - 0.11, 6);
  });

  it('charges almost nothing for a detection just after a window', () => {
    const f = corpus((i) => i === 500 || i === 551);
    const r = scoreCorpus(f, standard);
    expect(r.raw).toBeLessThan(1);
    expect(r.raw).toBeGreaterThan(1 - 0.11 * 0.2);
  });
});
