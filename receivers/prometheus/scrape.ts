// One scrape target: fetch on an interval, parse, convert, hand downstream and wait for the
// acknowledgement (backpressure: a slow pipeline delays the next scrape, it does not pile up).
import type { Logger } from 'pino';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import type { Metric, MetricsData } from '../../src/pdata/types.js';
import { countMetricPoints } from '../../src/pdata/count.js';
import { parseExposition } from '../../src/prometheus/textparser.js';
import type { Counter } from '../../src/telemetry/self.js';
import { TargetConverter, type ConvertOptions, type Target } from './convert.js';

const ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export interface ScrapeSettings {
  intervalMs: number;
  timeoutMs: number;
  headers: Record<string, string>;
  convert: ConvertOptions;
}

export interface ScrapeCounters {
  failedScrapes: Counter;
}

export class TargetScraper {
  private conv: TargetConverter;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<void>;
  private lastError = '';

  constructor(
    readonly target: Target,
    private cfg: ScrapeSettings,
    private next: MetricsConsumer,
    private logger: Logger,
    private counters: ScrapeCounters,
    private userAgent: string,
  ) {
    this.conv = new TargetConverter(target, cfg.convert);
  }

  start(initialDelayMs: number): void {
    const loop = async () => {
      if (this.stopped) return;
      const t0 = Date.now();
      this.running = this.scrapeOnce();
      await this.running;
      this.running = undefined;
      if (this.stopped) return;
      const wait = Math.max(0, this.cfg.intervalMs - (Date.now() - t0));
      this.timer = setTimeout(() => void loop(), wait);
    };
    this.timer = setTimeout(() => void loop(), initialDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  async fetchText(): Promise<{ text: string; openMetrics: boolean }> {
    const res = await fetch(this.target.url, {
      headers: {
        ...this.cfg.headers,
        Accept: ACCEPT,
        'User-Agent': this.userAgent,
        'X-Prometheus-Scrape-Timeout-Seconds': String(this.cfg.timeoutMs / 1000),
      },
      signal: AbortSignal.timeout(this.cfg.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
    const ct = res.headers.get('content-type') ?? '';
    return { text, openMetrics: ct.startsWith('application/openmetrics-text') };
  }

  /** One scrape, always followed by `up` and scrape_* series (up=0 on failure). */
  async scrapeOnce(): Promise<void> {
    const start = Date.now();
    let md: MetricsData;
    let up = 1;
    let scraped = 0;
    let kept = 0;
    let added = 0;
    try {
      const { text, openMetrics } = await this.fetchText();
      const fams = parseExposition(text, openMetrics);
      for (const f of fams) scraped += f.samples.length;
      const r = this.conv.convert(fams, start);
      md = r.md;
      kept = r.kept;
      added = r.added;
      if (this.lastError) this.logger.info({ target: this.target.url }, 'scrape target is back up');
      this.lastError = '';
    } catch (e) {
      up = 0;
      md = this.conv.staleAll(start);
      const msg = e instanceof Error ? (e.name === 'TimeoutError' ? `scrape timed out after ${this.cfg.timeoutMs}ms` : e.message) : String(e);
      this.counters.failedScrapes.add();
      // Log a failing target once per distinct error, not every interval.
      if (msg !== this.lastError) this.logger.warn({ target: this.target.url, job: this.target.job, error: msg }, 'scrape failed');
      this.lastError = msg;
    }
    const dur = (Date.now() - start) / 1000;
    this.addSynthetic(md, start, { up, scrape_duration_seconds: dur, scrape_samples_scraped: scraped, scrape_samples_post_metric_relabeling: kept, scrape_series_added: added });
    const n = countMetricPoints(md);
    try {
      // Accepted / refused items are counted by the core around `next`.
      await this.next.consume(md);
    } catch (e) {
      this.logger.warn({ target: this.target.url, error: e instanceof Error ? e.message : String(e), points: n }, 'scraped metrics refused downstream');
    }
  }

  private addSynthetic(md: MetricsData, tsMs: number, values: Record<string, number>): void {
    const ts = BigInt(tsMs) * 1_000_000n;
    const attributes = { ...this.target.labels };
    const metrics: Metric[] = Object.entries(values).map(([name, v]) => ({
      name, unit: '', type: 'gauge', description: '',
      dataPoints: [{ attributes: { ...attributes }, startTimeUnixNano: 0n, timeUnixNano: ts, value: v }],
    }));
    const u = new URL(this.target.url);
    md.resourceMetrics.push({
      resource: {
        attributes: {
          'service.name': this.target.job, 'service.instance.id': this.target.instance,
          'server.address': u.hostname, ...(u.port ? { 'server.port': Number(u.port) } : {}), 'url.scheme': this.target.scheme,
        },
      },
      scopeMetrics: [{ scope: { name: '' }, metrics }],
    });
  }
}
