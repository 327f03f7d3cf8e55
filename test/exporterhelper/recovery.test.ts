// After an outage, delivery resumes about a probe interval after the backend returns, not after
// the longest backoff (issue 13: the first delivery waited 10.6 s after a 3 s outage).
import { describe, expect, it } from 'vitest';
import { tempDir } from '../storage/helpers.js';
import { bodies, logs } from './fixtures.js';
import { persistentSender, until } from './pq-helpers.js';

describe('retries after an outage', () => {
  it('persistent queue, Collector retry defaults (5 s initial): delivers within ~1 s of the backend returning', async () => {
    let upAt = Infinity;
    let firstAt = 0;
    const got: string[] = [];
    const q = await persistentSender(await tempDir(), async (b) => {
      if (Date.now() < upAt) throw new Error('connection refused');
      firstAt ||= Date.now();
      got.push(...bodies(b));
    }, { num_consumers: 2 }, {
      // The longest jitter: without the probe the first retry would come 7.5 s after the failure.
      retry: { initial_interval: '5s', max_interval: '30s', max_elapsed_time: '0' },
      random: () => 0.999,
    });
    const start = Date.now();
    upAt = start + 2000;
    await Promise.all(Array.from({ length: 30 }, (_, i) => q.s.consumer.consume(logs(`o${i}`, 5))));
    await until(() => got.length === 150, 15_000);
    const delay = firstAt - upAt;
    console.log(`outage 2 s: first delivery ${delay} ms after the backend returned, all 150 records ${Date.now() - upAt} ms after`);
    expect(delay).toBeLessThan(1500);
    expect(new Set(got).size).toBe(150);
    await q.stop();
  }, 30_000);
});
