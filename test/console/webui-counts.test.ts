// The Logs page's counts per step from the history's accumulated template counters.
import { describe, expect, it } from 'vitest';
import { ACCUMULATOR_EXPIRY_S, stepCounts } from '../../extensions/console/web/counts.js';

describe('stepCounts', () => {
  it('differences of consecutive values, carried across steps without samples', () => {
    expect(stepCounts([[1000, 5], [1010, 7], [1040, 12]], 0)).toEqual([[1000, 5], [1010, 2], [1040, 5]]);
  });
  it('a series already there at the start of what was fetched is the baseline, not counted', () => {
    expect(stepCounts([[100, 50], [110, 53]], 100)).toEqual([[100, 0], [110, 3]]);
  });
  it('a lower value (a restart) and a value after the accumulator forgot the series count whole', () => {
    expect(stepCounts([[1000, 9], [1010, 2]], 0)).toEqual([[1000, 9], [1010, 2]]);
    expect(stepCounts([[1000, 9], [1000 + ACCUMULATOR_EXPIRY_S + 10, 12]], 0)).toEqual([[1000, 9], [1310, 12]]);
  });
});
