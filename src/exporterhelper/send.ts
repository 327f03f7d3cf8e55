import type { Logger } from 'pino';
import { asConsumerError, ConsumerError } from '../component/consumer.js';
import type { Signal } from '../pdata/types.js';
import type { Counter } from '../telemetry/self.js';
import type { PushFn } from './api.js';
import { Backoff, sleep } from './backoff.js';
import type { RetryConfig } from './config.js';
import type { Batch } from './batch.js';

/**
 * What sending a batch came to, before anyone decides what that means for the data (see
 * outcome.ts: the queue in use decides). `items` is what was left undelivered.
 */
export type SendResult =
  | { kind: 'delivered' }
  /** The backend refused the data for good (ConsumerError.permanent from the push). */
  | { kind: 'refused'; error: ConsumerError; items: number; batch: Batch<Signal> }
  /** Retryable failures until max_elapsed_time (or retry_on_failure disabled). */
  | { kind: 'exhausted'; error: ConsumerError; items: number; batch: Batch<Signal> }
  /** Stopped by shutdown before delivery. */
  | { kind: 'aborted'; error: ConsumerError; items: number; batch: Batch<Signal> };

/**
 * Thrown by a push that delivered part of a batch (a split request whose later part failed):
 * the delivered items are counted as sent and the retry sends only `rest`, so a backend that
 * refuses resent data (Prometheus: out of order) never sees the delivered part again.
 */
export class PartialDelivery<S extends Signal> extends Error {
  constructor(
    readonly delivered: number,
    readonly rest: Batch<S>,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'PartialDelivery';
  }
}

export interface SendCounters {
  sent: Counter;
  failed: Counter;
  retries: Counter;
}

/** While every batch waits out its backoff, one of them is tried this often (a probe). */
export const DEFAULT_PROBE_MS = 1000;

/**
 * Push with per-attempt timeout and retries. Retries of one exporter share what they learn: an
 * attempt that gets through wakes every batch waiting out a backoff, and during an outage one
 * batch at a time is tried at least every `probe_interval`, so delivery resumes about that soon
 * after the backend returns instead of after the longest backoff.
 */
export class RetryingSender<S extends Signal> {
  private outage?: { since: number; retries: number };
  /** Aborted (and replaced) when an attempt succeeds: wakes the waiting retries. */
  private recovered = new AbortController();
  private prober = false;

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

  async send(first: Batch<S>, stop: AbortSignal): Promise<SendResult> {
    let batch = first;
    const started = Date.now();
    const backoff = new Backoff(this.retry, this.random);
    for (let attempt = 1; ; attempt++) {
      const left = (error: ConsumerError) => ({ error, items: batch.items, batch: batch as Batch<Signal> });
      if (stop.aborted) return { kind: 'aborted', ...left(ConsumerError.retryable('exporter shutting down before delivery')) };
      let err: ConsumerError;
      try {
        await this.attempt(batch, stop);
        this.counters.sent.add(batch.items);
        this.recover();
        return { kind: 'delivered' };
      } catch (e) {
        if (e instanceof PartialDelivery) {
          this.counters.sent.add(e.delivered);
          batch = e.rest as Batch<S>;
          err = asConsumerError(e.cause);
        } else err = asConsumerError(e);
      }
      if (err.kind === 'permanent') {
        this.counters.failed.add(batch.items);
        return { kind: 'refused', ...left(err) };
      }
      if (stop.aborted) return { kind: 'aborted', ...left(err) };
      let wait = this.retry.enabled ? backoff.next() : -1;
      if (wait >= 0 && err.retryAfterMs !== undefined) wait = Math.max(wait, err.retryAfterMs);
      const elapsed = Date.now() - started;
      const maxElapsed = this.retry.max_elapsed_time;
      if (wait < 0 || (maxElapsed > 0 && elapsed + wait > maxElapsed)) {
        this.counters.failed.add(batch.items);
        const why = this.retry.enabled ? `export failed after ${attempt} attempt(s)` : 'export failed (retry_on_failure disabled)';
        return { kind: 'exhausted', ...left(ConsumerError.retryable(`${why}: ${err.message}`, { cause: err, retryAfterMs: err.retryAfterMs })) };
      }
      this.counters.retries.add(1);
      // One warning per outage (and one line when it ends), not one per attempt per batch.
      const fields = { signal: this.signal, error: err.message, items: batch.items, attempt, retry_in_ms: wait, retry_after_ms: err.retryAfterMs };
      if (this.outage === undefined) {
        this.outage = { since: Date.now(), retries: 0 };
        this.logger.warn(fields, 'export failed, will retry (further retries of this outage at debug level)');
      } else this.logger.debug(fields, 'export failed, will retry');
      this.outage.retries++;
      await this.wait(wait, err.retryAfterMs, stop);
    }
  }

  /**
   * The backoff wait, ended early by a recovery seen by another batch, and (for the one batch
   * that probes) at the probe interval; a server's Retry-After is always waited out.
   */
  private async wait(ms: number, retryAfterMs: number | undefined, stop: AbortSignal): Promise<void> {
    const probe = this.retry.probe_interval;
    let probing = false;
    if (probe > 0 && !this.prober && ms > probe) {
      this.prober = probing = true;
      ms = Math.max(probe, retryAfterMs ?? 0);
    }
    try {
      await sleep(ms, AbortSignal.any([stop, this.recovered.signal]));
    } finally {
      if (probing) this.prober = false;
    }
  }

  private recover(): void {
    if (!this.outage) return;
    this.logger.info({ signal: this.signal, retries: this.outage.retries, outage_ms: Date.now() - this.outage.since }, 'export recovered');
    this.outage = undefined;
    const r = this.recovered;
    this.recovered = new AbortController();
    r.abort();
  }
}
