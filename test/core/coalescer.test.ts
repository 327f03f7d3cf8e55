import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/util/coalescer.js';

describe('Coalescer (one run going, one queued)', () => {
  it('starts at once when idle, and calls made during a run share the next one', async () => {
    const runs: number[][] = [];
    let pending: number[] = [];
    let release!: () => void;
    const c = new Coalescer(async () => {
      runs.push(pending.splice(0));
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
    });
    pending.push(1);
    const a = c.run();
    await Promise.resolve();
    await Promise.resolve();
    expect(runs).toEqual([[1]]); // no timer: the first run is going
    pending.push(2);
    const b = c.run();
    pending.push(3);
    const d = c.run();
    expect(b).toBe(d); // one queued run for both
    release();
    await Promise.all([a, b, d]);
    expect(runs).toEqual([[1], [2, 3]]);
    expect(c.busy).toBe(false);
    pending = [4];
    await c.run();
    expect(runs).toEqual([[1], [2, 3], [4]]);
  });

  it('passes a failure to the callers of that run only, and runs again afterwards', async () => {
    let n = 0;
    const c = new Coalescer(async () => {
      if (++n === 1) throw new Error('disk full');
    });
    await expect(c.run()).rejects.toThrow('disk full');
    await expect(c.run()).resolves.toBeUndefined();
    const sync = new Coalescer(() => {
      throw new Error('sync throw');
    });
    await expect(sync.run()).rejects.toThrow('sync throw');
    expect(sync.busy).toBe(false);
  });

  it('spaces queued runs when asked (writes nobody waits for)', async () => {
    const starts: number[] = [];
    const c = new Coalescer(async () => void starts.push(Date.now()), () => 60);
    const first = c.run();
    const second = c.run();
    await Promise.all([first, second]);
    expect(starts).toHaveLength(2);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(55);
    await c.idle();
  });
});
