import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import type { Config } from './config.js';
import { compileRelabel } from './relabel.js';
import { TargetScraper } from './scrape.js';
import { USER_AGENT } from '../../src/version.js';

/** Scrapes every static target of every scrape_config on its own schedule. */
export class PrometheusReceiver implements Receiver {
  readonly scrapers: TargetScraper[] = [];

  constructor(
    private set: CreateSettings,
    cfg: Config,
    next: MetricsConsumer,
  ) {
    const t = set.telemetry;
    // Accepted/refused items are counted by the core around `next`.
    const counters = {
      failedScrapes: t.counter('telemd_receiver_prometheus_failed_scrapes_total', 'Scrapes that failed (up=0)', {}),
    };
    const g = cfg.config.global;
    for (const sc of cfg.config.scrape_configs) {
      const intervalMs = Number(sc.scrape_interval ?? g.scrape_interval);
      const timeoutMs = Math.min(Number(sc.scrape_timeout ?? g.scrape_timeout), intervalMs);
      const headers: Record<string, string> = {};
      if (sc.basic_auth) headers.Authorization = `Basic ${Buffer.from(`${sc.basic_auth.username}:${sc.basic_auth.password}`).toString('base64')}`;
      if (sc.bearer_token) headers.Authorization = `Bearer ${sc.bearer_token}`;
      const relabel = compileRelabel(sc.metric_relabel_configs);
      for (const st of sc.static_configs)
        for (const addr of st.targets) {
          const url = new URL(`${sc.scheme}://${addr}${sc.metrics_path.startsWith('/') ? '' : '/'}${sc.metrics_path}`);
          for (const [k, vs] of Object.entries(sc.params)) for (const v of vs) url.searchParams.append(k, v);
          const labels = { ...g.external_labels, ...st.labels };
          this.scrapers.push(
            new TargetScraper(
              { job: sc.job_name, instance: addr, labels, scheme: sc.scheme, url: url.toString() },
              { intervalMs, timeoutMs, headers, convert: { honorLabels: sc.honor_labels, honorTimestamps: sc.honor_timestamps, relabel } },
              next, set.logger, counters, USER_AGENT,
            ),
          );
        }
    }
  }

  async start(_host: Host): Promise<void> {
    // Spread first scrapes a little so many targets do not all fire at once.
    this.scrapers.forEach((s, i) => s.start(Math.min(1000, i * 50)));
    this.set.logger.info({ targets: this.scrapers.length }, 'prometheus receiver scraping');
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.scrapers.map((s) => s.stop()));
  }
}
