// The hostmetrics receiver: scrapes every `collection_interval` (and once at start) and hands
// one batch per scrape downstream. The shared scrape controller bounds the batches awaiting
// delivery (MAX_IN_FLIGHT) and skips and counts scrapes beyond that.
import type { Logger } from 'pino';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import { nowNanos } from '../../src/pdata/time.js';
import type { MetricsData, ResourceMetrics, ScopeMetrics } from '../../src/pdata/types.js';
import { ScrapeController } from '../../src/scraperhelper/index.js';
import type { Counter, SelfTelemetry } from '../../src/telemetry/self.js';
import { buildScrapers, type Built } from './build.js';
import type { Config } from './config.js';
import { MetricBuilder } from './metrics.js';
import { bootTimeNanos, readText } from '../../src/procfs/index.js';
import { makeEnv, type ScrapeEnv } from './scraper.js';
import { toLatest } from './semconv.js';
import { hostResource } from '../../src/resource/host.js';

export { MAX_IN_FLIGHT } from '../../src/scraperhelper/index.js';
export const SCOPE_PREFIX = 'telemd/receiver/hostmetrics/';

export class HostMetricsReceiver implements Receiver {
  private readonly log: Logger;
  private readonly telemetry: SelfTelemetry;
  private readonly scrapeErrors: Counter;
  private readonly controller: ScrapeController;
  private scrapers: Built[] = [];
  private env!: ScrapeEnv;
  /** Last error message per scraper, so a persistent failure is logged once, not every tick. */
  private lastError = new Map<string, string>();

  constructor(
    set: CreateSettings,
    private readonly cfg: Config,
    next: MetricsConsumer,
  ) {
    this.log = set.logger;
    const t = (this.telemetry = set.telemetry);
    this.controller = new ScrapeController({
      name: 'hostmetrics', logger: set.logger, telemetry: t, next,
      collectionInterval: cfg.collection_interval, initialDelay: cfg.initial_delay,
      scrape: () => this.scrapeOnce(),
    });
    this.scrapeErrors = t.counter('telemd_receiver_scrape_errors_total', 'Scraper runs that failed', { signal: 'metrics' });
  }

  /** Bound on unacknowledged batches; tests lower it to see the bound at work. */
  get maxInFlight(): number {
    return this.controller.maxInFlight;
  }

  set maxInFlight(n: number) {
    this.controller.maxInFlight = n;
  }

  async start(_host: Host): Promise<void> {
    // One counter per (scraper, reason), looked up once: unreadable processes are met every scrape.
    const skipped = new Map<string, Counter>();
    this.scrapers = buildScrapers(this.cfg.scrapers, this.cfg.timeout || Math.min(5000, this.cfg.collection_interval), (scraper, kind) => {
      const k = `${scraper}/${kind}`;
      let c = skipped.get(k);
      if (!c) skipped.set(k, (c = this.telemetry.counter('telemd_receiver_scrape_skipped_objects_total', 'Objects a scraper could not read (vanished or unreadable processes)', { signal: 'metrics', scraper, reason: kind })));
      c.add();
    });
    const root = this.cfg.root_path;
    this.env = makeEnv(root, bootTimeNanos(readText(makeEnv(root, 0n).proc('stat'))));
    this.controller.start();
  }

  async shutdown(): Promise<void> {
    await this.controller.shutdown();
    for (const { scraper } of this.scrapers) scraper.close?.();
    this.env?.close();
  }

  /** One collection round; exposed for tests and the benchmark. */
  tick(): void {
    this.controller.tick();
  }

  async scrapeOnce(): Promise<MetricsData> {
    const now = nowNanos();
    const scopes: ScopeMetrics[] = [];
    const others: ResourceMetrics[] = [];
    this.env.beginRound();
    for (const { scraper, enabled } of this.scrapers) {
      const b = new MetricBuilder(scraper.defs, enabled, now);
      try {
        const extra = await scraper.scrape(b, this.env);
        if (extra)
          for (const r of extra) {
            if (r.metrics.length === 0) continue;
            const metrics = this.cfg.semconv === 'latest' ? toLatest(scraper.name, r.metrics) : r.metrics;
            others.push({ resource: { attributes: hostResource(r.attributes) }, scopeMetrics: [{ scope: { name: SCOPE_PREFIX + scraper.name }, metrics }] });
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
    this.env.endRound();
    const host: ResourceMetrics[] = scopes.length ? [{ resource: { attributes: hostResource() }, scopeMetrics: scopes }] : [];
    return { resourceMetrics: [...host, ...others] };
  }
}
