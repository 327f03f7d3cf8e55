// The periodic scrape loop shared by polling receivers (the Collector's scraperhelper):
// scrape after `initial_delay`, then every `collection_interval`; one scrape at a time; at
// most `maxInFlight` batches awaiting delivery. A scrape that cannot run is skipped and
// counted, with the last scrape's size counted as refused items (they were never read).
import type { Logger } from 'pino';
import type { MetricsConsumer } from '../component/consumer.js';
import { countMetricPoints } from '../pdata/count.js';
import type { MetricsData } from '../pdata/types.js';
import type { Counter, SelfTelemetry } from '../telemetry/self.js';
import { InFlight } from './inflight.js';

export interface ScrapeControllerOptions {
  /** Receiver type for log messages, e.g. 'hostmetrics'. */
  name: string;
  logger: Logger;
  telemetry: SelfTelemetry;
  next: MetricsConsumer;
  /** Milliseconds. */
  collectionInterval: number;
  /** Milliseconds before the first scrape. */
  initialDelay: number;
  scrape: () => MetricsData | Promise<MetricsData>;
}

export class ScrapeController {
  private readonly opts: ScrapeControllerOptions;
  private readonly inFlight: InFlight;
  private readonly refused: Counter;
  private readonly skipped: Counter;
  private timer?: NodeJS.Timeout;
  private first?: NodeJS.Timeout;
  private scraping?: Promise<void>;
  private lastPoints = 0;
  private stopped = false;

  constructor(opts: ScrapeControllerOptions) {
    this.opts = opts;
    this.inFlight = new InFlight(opts.next, opts.logger, opts.name);
    const sig = { signal: 'metrics' };
    this.refused = opts.telemetry.counter('telemd_receiver_refused_items_total', 'Items not collected because earlier batches still awaited delivery (items that reach the pipeline are counted by the core)', { ...sig, reason: 'skipped' });
    this.skipped = opts.telemetry.counter('telemd_receiver_skipped_scrapes_total', 'Scrapes skipped because earlier batches were still awaiting delivery', sig);
  }

  /** Bound on unacknowledged batches; tests lower it to see the bound at work. */
  get maxInFlight(): number {
    return this.inFlight.max;
  }

  set maxInFlight(n: number) {
    this.inFlight.max = n;
  }

  start(): void {
    this.first = setTimeout(() => {
      this.tick();
      this.timer = setInterval(() => this.tick(), this.opts.collectionInterval);
    }, this.opts.initialDelay);
  }

  /** Stops the timers, then waits for the running scrape and every batch in flight. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.first);
    clearInterval(this.timer);
    await this.scraping;
    await this.inFlight.drain();
  }

  /** One collection round (timer driven; tests call it directly). */
  tick(): void {
    if (this.stopped) return;
    if (this.scraping || this.inFlight.full) {
      this.skipped.add();
      this.refused.add(this.lastPoints);
      const n = this.skipped.value();
      if (n === 1 || n % 100 === 0)
        this.opts.logger.warn({ skipped: n, inFlight: this.inFlight.size }, `pipeline is slow: skipping ${this.opts.name} scrape`);
      return;
    }
    // A synchronous scrape is sent right away; an async one holds `scraping` until it resolves.
    let out: MetricsData | Promise<MetricsData>;
    try {
      out = this.opts.scrape();
    } catch (err) {
      this.scrapeFailed(err);
      return;
    }
    if (!(out instanceof Promise)) return this.send(out);
    this.scraping = out.then(
      (data) => this.send(data),
      (err: unknown) => this.scrapeFailed(err),
    ).finally(() => {
      this.scraping = undefined;
    });
  }

  private send(data: MetricsData): void {
    const n = countMetricPoints(data);
    if (n === 0) return;
    this.lastPoints = n;
    this.inFlight.send(data, n);
  }

  // Scrapers report their own errors; this is the backstop for a bug that escapes them.
  private scrapeFailed(err: unknown): void {
    this.opts.logger.error({ err: err instanceof Error ? err.message : String(err) }, `${this.opts.name} scrape failed`);
  }
}
