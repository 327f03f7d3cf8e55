// The hostmetrics receiver: scrapes every `collection_interval` (and once at start) and hands
// one batch per scrape downstream. At most MAX_IN_FLIGHT batches await their delivery
// acknowledgement; when the pipeline is slower than that, scrapes are skipped (and counted)
// instead of piling up unbounded pending work. The bound is generous on purpose: with memory
// queues an acknowledgement waits for delivery, and a backend that is down for a while must
// not stop scrapes from reaching the pipeline's other exporters (the down exporter's own
// queue is the buffer; 512 scrapes is 85 minutes at the default interval).
import type { Logger } from 'pino';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import { countMetricPoints } from '../../src/pdata/count.js';
import { nowNanos } from '../../src/pdata/time.js';
import type { MetricsData, ResourceMetrics, ScopeMetrics } from '../../src/pdata/types.js';
import type { Counter, SelfTelemetry } from '../../src/telemetry/self.js';
import { buildScrapers, type Built } from './build.js';
import type { Config } from './config.js';
import { MetricBuilder } from './metrics.js';
import { bootTimeNanos, readText } from '../../src/procfs/index.js';
import { makeEnv, type ScrapeEnv } from './scraper.js';
import { toLatest } from './semconv.js';

export const MAX_IN_FLIGHT = 512;
export const SCOPE_PREFIX = 'telemd/receiver/hostmetrics/';

export class HostMetricsReceiver implements Receiver {
  /** Tests lower it to see the bound at work. */
  maxInFlight = MAX_IN_FLIGHT;
  private readonly log: Logger;
  private readonly telemetry: SelfTelemetry;
  private readonly refused: Counter;
  private readonly skipped: Counter;
  private readonly scrapeErrors: Counter;
  private scrapers: Built[] = [];
  private env!: ScrapeEnv;
  private timer?: NodeJS.Timeout;
  private first?: NodeJS.Timeout;
  private scraping?: Promise<void>;
  private inFlight = new Set<Promise<void>>();
  private lastPoints = 0;
  private stopped = false;
  /** Last error message per scraper, so a persistent failure is logged once, not every tick. */
  private lastError = new Map<string, string>();

  constructor(
    set: CreateSettings,
    private readonly cfg: Config,
    private readonly next: MetricsConsumer,
  ) {
    this.log = set.logger;
    const t = (this.telemetry = set.telemetry);
    const sig = { signal: 'metrics' };
    this.refused = t.counter('telemd_receiver_refused_items_total', 'Items not collected because earlier batches still awaited delivery (items that reach the pipeline are counted by the core)', { ...sig, reason: 'skipped' });
    this.skipped = t.counter('telemd_receiver_skipped_scrapes_total', 'Scrapes skipped because earlier batches were still awaiting delivery', sig);
    this.scrapeErrors = t.counter('telemd_receiver_scrape_errors_total', 'Scraper runs that failed', sig);
  }

  async start(_host: Host): Promise<void> {
    this.scrapers = buildScrapers(this.cfg.scrapers, this.cfg.timeout || Math.min(5000, this.cfg.collection_interval), (scraper, kind) =>
      this.telemetry.counter('telemd_receiver_scrape_skipped_objects_total', 'Objects a scraper could not read (vanished or unreadable processes)', { signal: 'metrics', scraper, reason: kind }).add(),
    );
    const root = this.cfg.root_path;
    this.env = makeEnv(root, bootTimeNanos(readText(makeEnv(root, 0n).proc('stat'))));
    this.first = setTimeout(() => {
      this.tick();
      this.timer = setInterval(() => this.tick(), this.cfg.collection_interval);
    }, this.cfg.initial_delay);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.first);
    clearInterval(this.timer);
    await this.scraping;
    await Promise.allSettled([...this.inFlight]);
  }

  /** One collection round; exposed for tests and the benchmark. */
  tick(): void {
    if (this.stopped) return;
    if (this.scraping || this.inFlight.size >= this.maxInFlight) {
      this.skipped.add();
      // The points of a skipped scrape were never read; the last scrape's size is the estimate.
      this.refused.add(this.lastPoints);
      if (this.skipped.value() === 1 || this.skipped.value() % 100 === 0)
        this.log.warn({ skipped: this.skipped.value(), inFlight: this.inFlight.size }, 'pipeline is slow: skipping hostmetrics scrape');
      return;
    }
    this.scraping = this.scrapeOnce()
      .then((data) => this.send(data))
      .finally(() => {
        this.scraping = undefined;
      });
  }

  async scrapeOnce(): Promise<MetricsData> {
    const now = nowNanos();
    const scopes: ScopeMetrics[] = [];
    const others: ResourceMetrics[] = [];
    for (const { scraper, enabled } of this.scrapers) {
      const b = new MetricBuilder(scraper.defs, enabled, now);
      try {
        const extra = await scraper.scrape(b, this.env);
        if (extra)
          for (const r of extra) {
            if (r.metrics.length === 0) continue;
            const metrics = this.cfg.semconv === 'latest' ? toLatest(scraper.name, r.metrics) : r.metrics;
            others.push({ resource: { attributes: r.attributes }, scopeMetrics: [{ scope: { name: SCOPE_PREFIX + scraper.name }, metrics }] });
          }
        if (this.lastError.delete(scraper.name)) this.log.info({ scraper: scraper.name }, 'scraper recovered');
      } catch (err) {
        this.scrapeErrors.add();
        const msg = err instanceof Error ? err.message : String(err);
        if (this.lastError.get(scraper.name) !== msg) this.log.error({ scraper: scraper.name, err: msg }, 'scraper failed');
        this.lastError.set(scraper.name, msg);
      }
      let metrics = b.result();
      if (metrics.length === 0) continue;
      if (this.cfg.semconv === 'latest') metrics = toLatest(scraper.name, metrics);
      scopes.push({ scope: { name: SCOPE_PREFIX + scraper.name }, metrics });
    }
    const host: ResourceMetrics[] = scopes.length ? [{ resource: { attributes: {} }, scopeMetrics: scopes }] : [];
    return { resourceMetrics: [...host, ...others] };
  }

  private send(data: MetricsData): void {
    const n = countMetricPoints(data);
    if (n === 0) return;
    this.lastPoints = n;
    const p: Promise<void> = this.next.consume(data).then(
      () => undefined,
      (err: unknown) => {
        this.log.warn({ err: err instanceof Error ? err.message : String(err), points: n }, 'hostmetrics batch refused');
      },
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
