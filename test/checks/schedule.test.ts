// The probe scheduler: targets keep their own pace, a hanging one delays nobody, a probe never
// overlaps itself, and concurrency stays bounded.
import { describe, expect, it } from 'vitest';
import { ProbeScheduler, phaseOf } from '../../src/checks/schedule.js';
import { testSettings } from '../helpers/settings.js';

describe('ProbeScheduler', () => {
  it('a hanging target neither delays the others nor overlaps itself', async () => {
    const set = testSettings('httpcheck', 'receiver');
    const starts = new Map<string, number[]>();
    let running = 0;
    let maxRunning = 0;
    const targets = [{ key: 'hang', intervalMs: 100 }, ...Array.from({ length: 5 }, (_, i) => ({ key: `fast${i}`, intervalMs: 100 }))];
    const s = new ProbeScheduler({
      name: 't', logger: set.logger, telemetry: set.telemetry, targets, maxConcurrency: 10, initialDelayMs: 0,
      probe: async (t, signal) => {
        (starts.get(t.key) ?? starts.set(t.key, []).get(t.key)!).push(Date.now());
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((r) => {
          const timer = setTimeout(r, t.key === 'hang' ? 450 : 5);
          signal.addEventListener('abort', () => (clearTimeout(timer), r()));
        });
        running--;
      },
    });
    s.start();
    await new Promise((r) => setTimeout(r, 1000));
    await s.shutdown();
    for (let i = 0; i < 5; i++) {
      const st = starts.get(`fast${i}`)!;
      expect(st.length).toBeGreaterThanOrEqual(8);
      // Evenly paced: no gap much longer than the interval, whatever the hanging target does.
      for (let j = 1; j < st.length; j++) expect(st[j]! - st[j - 1]!).toBeLessThan(180);
    }
    const h = starts.get('hang')!;
    for (let j = 1; j < h.length; j++) expect(h[j]! - h[j - 1]!).toBeGreaterThanOrEqual(440);
    expect(s.skipped.value()).toBeGreaterThanOrEqual(4);
    expect(maxRunning).toBeLessThanOrEqual(6);
  });

  it('never runs more than max_concurrency probes at once', async () => {
    const set = testSettings('tcpcheck', 'receiver');
    let running = 0;
    let max = 0;
    let done = 0;
    const s = new ProbeScheduler({
      name: 't', logger: set.logger, telemetry: set.telemetry, maxConcurrency: 3, initialDelayMs: 0, spread: false,
      targets: Array.from({ length: 12 }, (_, i) => ({ key: `t${i}`, intervalMs: 10_000 })),
      probe: async () => {
        running++;
        max = Math.max(max, running);
        await new Promise((r) => setTimeout(r, 30));
        running--;
        done++;
      },
    });
    s.start();
    const end = Date.now() + 3000;
    while (done < 12 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await s.shutdown();
    expect(done).toBe(12);
    expect(max).toBe(3);
    expect(s.delayed.value()).toBe(9);
  });

  it('spreads targets over the interval by a stable hash', () => {
    expect(phaseOf('GET http://a/')).toBe(phaseOf('GET http://a/'));
    const phases = Array.from({ length: 100 }, (_, i) => phaseOf(`GET http://127.0.0.1:${8000 + i}/`));
    expect(Math.min(...phases)).toBeLessThan(0.1);
    expect(Math.max(...phases)).toBeGreaterThan(0.9);
  });
});
