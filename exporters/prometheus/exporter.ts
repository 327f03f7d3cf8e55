import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenHttp, type HardenedServer } from '../../src/net/http-server.js';
import { listenError } from '../../src/net/listen-error.js';
import { gzipSync } from 'node:zlib';
import type { CreateSettings, Exporter, Host } from '../../src/component/component.js';
import { consumerOf, type SignalConsumers } from '../../src/component/consumer.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { countMetricPoints } from '../../src/pdata/count.js';
import type { Counter } from '../../src/telemetry/self.js';
import {
  DeltaAccumulator, LabelCache, labelsKey, metricNameOf, needsRewrite, translateMetrics, writeText,
  OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE,
  type FamilyType, type PromFamily, type PromSample, type TranslateOptions,
} from '../../src/prometheus/index.js';
import { parseEndpoint } from '../../src/util/endpoint.js';
import type { Config } from './config.js';

interface Stored {
  family: string;
  sample: PromSample;
  updatedMs: number;
  /** The ingest that last wrote it: a second write in the same ingest at the same time is a collision. */
  ingest: number;
}

/** Keeps the latest value of every series and serves them for scraping. */
export class PrometheusExporter implements Exporter {
  readonly consumers: SignalConsumers;
  private series = new Map<string, Stored>();
  private families = new Map<string, { type: FamilyType; help: string; unit: string }>();
  private server?: HardenedServer;
  private delta: DeltaAccumulator;
  private opts: TranslateOptions;
  private sent: Counter;
  private dropped: Counter;
  private warned = new Set<string>();
  private expirationMs: number;
  private ingests = 0;
  /** Labels of series seen before, by OTLP origin (see TranslateOptions.labelCache). */
  private readonly labelCache = new LabelCache();
  private collisions: Counter;
  private collidedFamilies = new Set<string>();
  /** The port actually bound (useful with port 0). */
  port = 0;

  constructor(
    private set: CreateSettings,
    private cfg: Config,
  ) {
    this.expirationMs = Number(cfg.metric_expiration);
    this.delta = new DeltaAccumulator(cfg.delta_temporality, this.expirationMs || 5 * 60_000);
    this.opts = {
      addMetricSuffixes: cfg.add_metric_suffixes,
      namespace: cfg.namespace,
      resourceToTelemetry: cfg.resource_to_telemetry_conversion.enabled,
      targetInfo: cfg.target_info.enabled,
      scopeLabels: true,
      extraLabels: cfg.const_labels,
      labelCache: this.labelCache,
    };
    const t = set.telemetry;
    this.sent = t.counter('telemd_exporter_sent_items_total', 'Items successfully sent', { signal: 'metrics' });
    this.dropped = t.counter('telemd_exporter_dropped_items_total', 'Items dropped', { signal: 'metrics' });
    t.counter('telemd_exporter_send_failed_items_total', 'Items that failed to send', { signal: 'metrics' });
    this.collisions = t.counter('telemd_exporter_prometheus_series_collisions_total', 'Points that had the same labels as another point of the same batch and time (only the last is exposed); also counted as dropped', { signal: 'metrics' });
    t.observe('telemd_exporter_prometheus_series', 'Series held for scraping', {}, () => this.series.size);
    this.consumers = { metrics: consumerOf((md: MetricsData) => this.ingest(md)) };
  }

  ingest(input: MetricsData, nowMs = Date.now()): void {
    // The batch is shared with the pipeline's other exporters: copy before rewriting it.
    const md = needsRewrite(input) ? structuredClone(input) : input;
    const total = countMetricPoints(md);
    const ingest = ++this.ingests;
    let dropped = this.delta.apply(md, nowMs);
    const res = translateMetrics(md, this.opts);
    dropped += res.dropped;
    for (const r of res.dropReasons) this.warnOnce(r);
    for (const f of res.families) {
      const known = this.families.get(f.name);
      if (!known) this.families.set(f.name, { type: f.type, help: f.help, unit: f.unit });
      else if (known.type !== f.type) {
        // Two types under one name would make the whole exposition unparsable: keep the first.
        dropped += f.points ?? f.samples.length;
        this.warnOnce(`metric ${f.name} arrives as ${f.type} but is already exposed as ${known.type}`);
        continue;
      }
      let collided = 0;
      const perSample = f.type === 'counter' || f.type === 'gauge';
      const countName = `${f.name}_count`;
      for (const s of f.samples) {
        const key = s.key ?? labelsKey(s.labels);
        // A stale point means the series is gone: stop exposing it.
        if (s.stale) {
          this.series.delete(key);
          continue;
        }
        const st = this.series.get(key);
        if (!st) {
          this.series.set(key, { family: f.name, sample: s, updatedMs: nowMs, ingest });
          continue;
        }
        // One OTLP point per collision: histograms and summaries count their _count sample.
        if (st.ingest === ingest && st.sample.timestampMs === s.timestampMs && (perSample || metricNameOf(s.labels) === countName)) collided++;
        // Update in place: the stored sample and its labels live on (no old-space churn per scrape).
        st.sample.value = s.value;
        st.sample.timestampMs = s.timestampMs;
        st.family = f.name;
        st.updatedMs = nowMs;
        st.ingest = ingest;
      }
      if (collided > 0) {
        dropped += collided;
        this.collisions.add(collided);
        this.warnCollision(f.name, collided);
      }
    }
    if (dropped > 0) this.dropped.add(dropped);
    this.sent.add(Math.max(0, total - dropped));
    // Origins of series long gone (processes that exited) must not pile up: start over when the
    // cache outgrows the series it serves.
    if (this.labelCache.size > 1.5 * this.series.size + 256) this.labelCache.clear();
  }

  /** Once per metric: points that cannot be told apart overwrite each other. */
  private warnCollision(family: string, points: number): void {
    if (this.collidedFamilies.has(family) || this.collidedFamilies.size > 100) return;
    this.collidedFamilies.add(family);
    this.set.logger.warn(
      { metric: family, points, resource_to_telemetry_conversion: this.cfg.resource_to_telemetry_conversion.enabled },
      this.cfg.resource_to_telemetry_conversion.enabled
        ? 'series collide: points of one batch have the same labels; only the last is exposed'
        : 'series collide: points of one batch have the same labels, probably differing only in resource attributes, which are not labels; only the last is exposed (set resource_to_telemetry_conversion: {enabled: true} to make them labels)',
    );
  }

  private warnOnce(reason: string): void {
    if (this.warned.has(reason) || this.warned.size > 100) return;
    this.warned.add(reason);
    this.set.logger.warn({ reason }, 'metric points dropped: not representable in Prometheus');
  }

  /** The current exposition, expired series removed. */
  render(openMetrics: boolean, nowMs = Date.now()): string {
    const byFam = new Map<string, PromSample[]>();
    for (const [k, s] of this.series) {
      if (this.expirationMs > 0 && nowMs - s.updatedMs > this.expirationMs) {
        this.series.delete(k);
        continue;
      }
      let arr = byFam.get(s.family);
      if (!arr) byFam.set(s.family, (arr = []));
      arr.push(s.sample);
    }
    const fams: PromFamily[] = [];
    for (const name of [...byFam.keys()].sort()) {
      const meta = this.families.get(name)!;
      fams.push({ name, ...meta, samples: byFam.get(name)! });
    }
    return writeText(fams, { openMetrics, timestamps: this.cfg.send_timestamps });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = (req.url ?? '/').split('?')[0];
    if (url !== '/metrics' && url !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found; metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const om = this.cfg.enable_open_metrics && /application\/openmetrics-text/.test(req.headers.accept ?? '');
    let body: Buffer = Buffer.from(this.render(om));
    const headers: Record<string, string> = { 'Content-Type': om ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE };
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && body.length > 1024) {
      body = gzipSync(body);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async start(_host: Host): Promise<void> {
    const ep = parseEndpoint(this.cfg.endpoint);
    if (!ep) throw new Error(`prometheus exporter: invalid endpoint "${this.cfg.endpoint}" (expected host:port)`);
    let l;
    try {
      l = await listenHttp({
        endpoint: this.cfg.endpoint,
        configKey: `exporters::${this.set.id.id}::endpoint`,
        listener: `${this.set.id.id} (prometheus exporter)`,
        logger: this.set.logger,
        telemetry: this.set.telemetry,
        handler: (req, res) => this.handle(req, res),
      });
    } catch (e) {
      throw listenError(e, { listener: `${this.set.id.id} (prometheus exporter)`, address: this.cfg.endpoint, configKey: `exporters::${this.set.id.id}::endpoint` });
    }
    this.server = l;
    this.port = l.port;
    this.set.logger.info({ endpoint: `${ep.host}:${this.port}` }, 'serving Prometheus metrics at /metrics');
  }

  async shutdown(): Promise<void> {
    const srv = this.server;
    if (!srv) return;
    this.server = undefined;
    // Through the listener: a reload that keeps the endpoint hands it to the new instance.
    await srv.close(0);
  }
}
