// Alertmanager delivery (API v2, POST /api/v2/alerts) and webhooks, as Prometheus' notifier
// sends: one bounded queue per Alertmanager (every Alertmanager of the list gets every alert:
// an HA pair), batches of max_batch_size, the oldest dropped first when full (counted). Unlike
// Prometheus, a failed send is retried with backoff until it goes through (alerts queued while
// an Alertmanager is down arrive, in order, when it is back); a newer copy of a queued alert
// with the same status replaces it, so a long outage does not queue every resend.
import type { Logger } from 'pino';
import { Backoff, sleep } from '../../src/exporterhelper/backoff.js';
import type { Counter } from '../../src/telemetry/self.js';
import type { SelfTelemetry } from '../../src/telemetry/self.js';
import { HttpClient, HttpError, baseUrl, join, redactUrl } from './http.js';
import type { HttpClientConfig } from './config.js';

/** An alert as Alertmanager's API v2 takes it (postableAlert). */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

interface Slot<T> {
  item: T;
  key: string;
  resolved: boolean;
}

export interface RetryConfig {
  initial_interval: number;
  max_interval: number;
}

/** A bounded FIFO with retrying delivery; `post` sends one batch. */
export class DeliveryQueue<T> {
  private queue: Slot<T>[] = [];
  private latest = new Map<string, Slot<T>>();
  private inFlight = 0;
  private running = false;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  readonly sent: Counter;
  readonly failed: Counter;
  readonly dropped: Counter;
  /** The last error, for the API / status. */
  lastError = '';
  lastSuccessMs = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly capacity: number,
    private readonly batchSize: number,
    retry: RetryConfig,
    private readonly post: (batch: T[], signal: AbortSignal) => Promise<void>,
    private readonly logger: Logger,
    tel: SelfTelemetry,
    labels: Record<string, string>,
    private readonly what: string,
  ) {
    this.backoff = new Backoff({ initial_interval: retry.initial_interval, max_interval: retry.max_interval, multiplier: 2, randomization_factor: 0.2 });
    this.sent = tel.counter('telemd_connector_alerts_notifications_sent_total', labels);
    this.failed = tel.counter('telemd_connector_alerts_notifications_failed_total', labels);
    this.dropped = tel.counter('telemd_connector_alerts_notifications_dropped_total', labels);
    tel.observe('telemd_connector_alerts_notification_queue_length', labels, () => this.queue.length);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Queues items; `key` identifies an alert, so a newer copy with the same status replaces a queued one. */
  push(items: { item: T; key: string; resolved: boolean }[]): void {
    if (this.closed) return;
    for (const it of items) {
      const prev = this.latest.get(it.key);
      if (prev && prev.resolved === it.resolved) {
        prev.item = it.item;
        continue;
      }
      const slot: Slot<T> = { ...it };
      this.queue.push(slot);
      this.latest.set(it.key, slot);
    }
    let over = this.queue.length - this.inFlight - this.capacity;
    if (over > 0) {
      const gone = this.queue.splice(this.inFlight, over);
      for (const s of gone) if (this.latest.get(s.key) === s) this.latest.delete(s.key);
      this.dropped.add(over);
      this.logger.warn({ target: this.name, dropped: over }, `${this.what} queue full: the oldest alerts were dropped`);
      over = 0;
    }
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const batch = this.queue.slice(0, this.batchSize);
        this.inFlight = batch.length;
        for (const s of batch) if (this.latest.get(s.key) === s) this.latest.delete(s.key);
        try {
          await this.post(
            batch.map((s) => s.item),
            this.abort.signal,
          );
          this.sent.add(batch.length);
          this.backoff.reset();
          this.lastSuccessMs = Date.now();
          if (this.lastError) this.logger.info({ target: this.name }, `${this.what} reachable again`);
          this.lastError = '';
          this.queue.splice(0, batch.length);
        } catch (e) {
          const err = e as HttpError;
          this.failed.add(batch.length);
          const first = this.lastError === '';
          this.lastError = err.message;
          if (err instanceof HttpError && !err.retryable) {
            this.queue.splice(0, batch.length);
            this.dropped.add(batch.length);
            this.logger.error({ target: this.name, err: err.message, alerts: batch.length }, `${this.what} refused the alerts; they are dropped`);
            continue;
          }
          if (first) this.logger.warn({ target: this.name, err: err.message, queued: this.queue.length }, `${this.what} unreachable; retrying with backoff`);
          this.inFlight = 0;
          // Put the batch back as the latest copies of its alerts unless newer ones came.
          for (const s of batch) if (!this.latest.has(s.key)) this.latest.set(s.key, s);
          await sleep(this.backoff.next(), this.abort.signal);
        } finally {
          this.inFlight = 0;
        }
      }
    } finally {
      this.running = false;
      if (this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves when the queue is empty or after `ms`. */
  async drain(ms: number): Promise<boolean> {
    if (this.queue.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((r) => this.idleWaiters.push(() => r(true))),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
    clearTimeout(timer);
    return done;
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
  }
}

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

/** One Alertmanager: its alert queue and the silence calls acknowledgements make. */
export class AlertmanagerTarget {
  readonly base: URL;
  readonly url: string;
  readonly queue: DeliveryQueue<AmAlert>;

  constructor(
    endpoint: string,
    pathPrefix: string,
    private readonly client: HttpClient,
    opts: { capacity: number; batchSize: number; retry: RetryConfig },
    logger: Logger,
    tel: SelfTelemetry,
  ) {
    this.base = baseUrl(endpoint, pathPrefix);
    this.url = redactUrl(this.base);
    this.queue = new DeliveryQueue<AmAlert>(
      this.url,
      opts.capacity,
      opts.batchSize,
      opts.retry,
      async (batch, signal) => {
        await this.client.request('POST', join(this.base, '/api/v2/alerts'), batch, signal);
      },
      logger,
      tel,
      { alertmanager: this.url },
      'Alertmanager',
    );
  }

  /** Creates a silence; resolves with its id. */
  async createSilence(matchers: SilenceMatcher[], startsAt: number, endsAt: number, createdBy: string, comment: string): Promise<string> {
    const r = await this.client.request('POST', join(this.base, '/api/v2/silences'), {
      matchers,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      createdBy,
      comment,
    });
    const id = (JSON.parse(r.body) as { silenceID?: string }).silenceID;
    if (!id) throw new HttpError(`POST ${this.url}/api/v2/silences: no silenceID in the answer`, true);
    return id;
  }

  /** Expires a silence (DELETE /api/v2/silence/{id}); an unknown or expired one counts as done. */
  async expireSilence(id: string): Promise<void> {
    try {
      await this.client.request('DELETE', join(this.base, `/api/v2/silence/${encodeURIComponent(id)}`));
    } catch (e) {
      // 404: already gone; 500 "silence … already expired" from Alertmanager 0.25.
      if (e instanceof HttpError && (e.status === 404 || /already expired/i.test(e.message))) return;
      throw e;
    }
  }
}

export function makeClient(cfg: HttpClientConfig): HttpClient {
  return new HttpClient(cfg);
}
