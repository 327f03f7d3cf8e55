import type { Logger } from 'pino';
import { asConsumerError, ConsumerError } from '../component/consumer.js';
import type { Signal } from '../pdata/types.js';
import type { Counter } from '../telemetry/self.js';
import type { PushFn } from './api.js';
import { Backoff, sleep } from './backoff.js';
import type { RetryConfig } from './config.js';
import type { Batch } from './batch.js';
import { sampleOf } from './sample.js';

export type Outcome =
  | { kind: 'delivered' }
  /** Refused for good or out of retries: counted as send_failed, not retried. */
  | { kind: 'failed'; error: ConsumerError }
  /** Stopped by shutdown before delivery: the caller decides (keep on disk, or count as dropped). */
  | { kind: 'aborted'; error: ConsumerError };

export interface SendCounters {
  sent: Counter;
  failed: Counter;
  retries: Counter;
}

const MAX_CAUSES = 100;

/** Push with per-attempt timeout and retries; counts and logs the result. */
export class RetryingSender<S extends Signal> {
  private causes = new Set<string>();
  private outage?: { since: number; retries: number };

  constructor(
    private readonly signal: S,
    private readonly push: PushFn<S>,
    private readonly retry: RetryConfig,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly counters: SendCounters,
    private readonly random: () => number = Math.random,
  ) {}

  /** One attempt, aborted at the timeout or when `stop` fires. */
  private async attempt(batch: Batch<S>, stop: AbortSignal): Promise<void> {
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const onStop = () => ac.abort(new ConsumerError('retryable', 'export aborted: exporter shutting down'));
    stop.addEventListener('abort', onStop, { once: true });
    // Race: a push that ignores its AbortSignal must not hang the worker.
    const aborted = new Promise<never>((_, reject) => {
      ac.signal.addEventListener('abort', () => reject(asConsumerError(ac.signal.reason)), { once: true });
      if (this.timeoutMs > 0)
        timer = setTimeout(
          () => ac.abort(ConsumerError.retryable(`export timed out after ${this.timeoutMs}ms`)),
          this.timeoutMs,
        );
    });
    aborted.catch(() => {});
    try {
      await Promise.race([this.push(batch, ac.signal), aborted]);
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    }
  }

  async send(batch: Batch<S>, stop: AbortSignal): Promise<Outcome> {
    const items = batch.items;
    const started = Date.now();
    const backoff = new Backoff(this.retry, this.random);
    for (let attempt = 1; ; attempt++) {
      if (stop.aborted) return { kind: 'aborted', error: ConsumerError.retryable('exporter shutting down before delivery') };
      let err: ConsumerError;
      try {
        await this.attempt(batch, stop);
        this.counters.sent.add(items);
        if (this.outage) {
          this.logger.info(
            { signal: this.signal, retries: this.outage.retries, outage_ms: Date.now() - this.outage.since },
            'export recovered',
          );
          this.outage = undefined;
        }
        return { kind: 'delivered' };
      } catch (e) {
        err = asConsumerError(e);
      }
      if (err.kind === 'permanent') {
        this.counters.failed.add(items);
        this.logPermanent(err, batch);
        return { kind: 'failed', error: err };
      }
      if (stop.aborted) return { kind: 'aborted', error: err };
      let wait = this.retry.enabled ? backoff.next() : -1;
      if (wait >= 0 && err.retryAfterMs !== undefined) wait = Math.max(wait, err.retryAfterMs);
      const elapsed = Date.now() - started;
      const maxElapsed = this.retry.max_elapsed_time;
      if (wait < 0 || (maxElapsed > 0 && elapsed + wait > maxElapsed)) {
        this.counters.failed.add(items);
        this.logger.error(
          { signal: this.signal, error: err.message, dropped_items: items, attempts: attempt, elapsed_ms: elapsed },
          this.retry.enabled ? 'export failed, no more retries left: dropping data' : 'export failed and retry_on_failure is disabled: dropping data',
        );
        return {
          kind: 'failed',
          error: ConsumerError.retryable(`export failed after ${attempt} attempt(s): ${err.message}`, { cause: err }),
        };
      }
      this.counters.retries.add(1);
      // One warning per outage (and one line when it ends), not one per attempt per batch.
      const fields = { signal: this.signal, error: err.message, items, attempt, retry_in_ms: wait, retry_after_ms: err.retryAfterMs };
      if (this.outage === undefined) {
        this.outage = { since: Date.now(), retries: 0 };
        this.logger.warn(fields, 'export failed, will retry (further retries of this outage at debug level)');
      } else this.logger.debug(fields, 'export failed, will retry');
      this.outage.retries++;
      await sleep(wait, stop);
    }
  }

  // Once per distinct cause, with a sample, so a poisonous stream does not flood the log.
  private logPermanent(err: ConsumerError, batch: Batch<S>): void {
    const items = batch.items;
    const key = err.message.slice(0, 200);
    if (this.causes.has(key)) {
      this.logger.debug({ signal: this.signal, error: err.message, dropped_items: items }, 'export refused permanently (repeat)');
      return;
    }
    if (this.causes.size >= MAX_CAUSES) {
      if (this.causes.size === MAX_CAUSES) {
        this.causes.add('\0overflow');
        this.logger.error({ signal: this.signal }, `more than ${MAX_CAUSES} distinct permanent export errors; further ones are logged at debug`);
      }
      this.logger.debug({ signal: this.signal, error: err.message, dropped_items: items }, 'export refused permanently');
      return;
    }
    this.causes.add(key);
    this.logger.error(
      { signal: this.signal, error: err.message, dropped_items: items, sample: sampleOf(this.signal, batch.data) },
      'export refused permanently: dropping data (logged once per cause)',
    );
  }
}
