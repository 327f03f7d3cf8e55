import type { RetryConfig } from './config.js';

/**
 * Exponential backoff with jitter, as the Collector's retry_on_failure: each wait is drawn
 * uniformly from interval*(1±randomization_factor), then the interval grows by `multiplier`
 * up to `max_interval`.
 */
export class Backoff {
  private interval: number;

  constructor(
    private readonly cfg: Pick<RetryConfig, 'initial_interval' | 'max_interval' | 'multiplier' | 'randomization_factor'>,
    private readonly random: () => number = Math.random,
  ) {
    this.interval = cfg.initial_interval;
  }

  /** The next wait in ms. */
  next(): number {
    const f = this.cfg.randomization_factor;
    const base = this.interval;
    const wait = base * (1 - f) + this.random() * (2 * f * base);
    this.interval = Math.min(base * this.cfg.multiplier, this.cfg.max_interval);
    return Math.max(0, Math.round(wait));
  }

  reset(): void {
    this.interval = this.cfg.initial_interval;
  }
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
