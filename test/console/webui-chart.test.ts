// The chart's isolated points: a value with no neighbour makes no line segment, so it is drawn as a dot.
import { describe, expect, it } from 'vitest';
import { isolated } from '../../extensions/console/web/isolated.js';

describe('isolated', () => {
  it('the values with no value on either side, the ends included', () => {
    expect(isolated([1, null, 2, 3, null, 4])).toEqual([0, 5]);
    expect(isolated([null, 7, null])).toEqual([1]);
    expect(isolated([5])).toEqual([0]);
  });
  it('none: null (uPlot then draws no points)', () => {
    expect(isolated([1, 2, null, null, 3, 4])).toBeNull();
    expect(isolated([null, null])).toBeNull();
    expect(isolated([])).toBeNull();
  });
});
