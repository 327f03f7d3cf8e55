import type { CreateSettings, Exporter, Host } from '../../src/component/component.js';
import { ConsumerError, type SignalConsumers } from '../../src/component/consumer.js';
import { createQueuedSender } from '../../src/exporterhelper/index.js';
import type { QueuedSender, QueuedSenderOptions } from '../../src/exporterhelper/api.js';
import type { SendingQueueConfig } from '../../src/exporterhelper/config.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { metricPointCount } from '../../src/pdata/count.js';
import type { Counter } from '../../src/telemetry/self.js';
import {
  buildWriteRequests, compressWriteRequest, DeltaAccumulator, needsRewrite, translateMetrics, type TranslateOptions,
} from '../../src/prometheus/index.js';
import { compressRequestV2 } from '../../src/prometheus/remotewrite2.js';
import type { WriteRequest } from '../../src/prometheus/remotewrite.js';
import { RemoteWriteClient, UnsupportedMediaType } from './client.js';
import type { Config } from './config.js';
import { shardBySeries } from './series.js';
import { migrateShardLayouts, shardId } from './shard-layout.js';
import { StaleTracker } from './stale.js';
import { TargetInfo } from './targetinfo.js';
import { clientAuthenticator } from '../../src/auth/auth.js';

export type SenderFactory = (o: QueuedSenderOptions<'metrics'>) => QueuedSender<'metrics'>;

/**
 * Remote-Write 1.0 sender. Batches are split by series into `num_consumers` shards, each an
 * ordered queue with one sender, so samples of a series always arrive in timestamp order
 * (Prometheus refuses out-of-order samples) while shards send in parallel.
 */
export class RemoteWriteExporter implements Exporter {
  readonly consumers: SignalConsumers;
  private shards: QueuedSender<'metrics'>[] = [];
  private client: RemoteWriteClient;
  private delta: DeltaAccumulator;
  /** Settles when the last batch with delta points was accepted or refused. */
  private deltaTurn: Promise<void> = Promise.resolve();
  private stale?: StaleTracker;
  private targetInfo?: TargetInfo;
  private staleTimer?: NodeJS.Timeout;
  private opts: TranslateOptions;
  private dropped: Counter;
  private warned = new Set<string>();
  private v2: boolean;
  /** Without a queue, sends of one shard are chained so a series' samples stay in order. */
  private chains?: Promise<unknown>[];
  private queue: SendingQueueConfig;
  /** Moving batches out of the queues of an earlier num_consumers (see shard-layout.ts). */
  private migrating?: Promise<void>;
  /** Split batches being sent: their requests and how many were delivered (dropped with the batch). */
  private progress = new WeakMap<MetricsData, { requests: WriteRequest[]; next: number }>();

  constructor(
    private set: CreateSettings,
    private cfg: Config,
    makeSender: SenderFactory = createQueuedSender,
    private clock: () => number = Date.now,
  ) {
    this.client = new RemoteWriteClient(cfg);
    this.v2 = cfg.protobuf_message === 'io.prometheus.write.v2.Request';
    this.delta = new DeltaAccumulator(cfg.delta_temporality);
    if (cfg.target_info.enabled) this.targetInfo = new TargetInfo();
    if (cfg.stale_markers.enabled) this.stale = new StaleTracker(Number(cfg.stale_markers.after), Number(cfg.stale_markers.min_after));
    this.opts = {
      addMetricSuffixes: cfg.add_metric_suffixes,
      namespace: cfg.namespace,
      resourceToTelemetry: cfg.resource_to_telemetry_conversion.enabled,
      // target_info is added before sharding (see targetinfo.ts), not per shard at translation.
      targetInfo: false,
      scopeLabels: true,
      extraLabels: cfg.external_labels,
    };
    this.dropped = set.telemetry.counter('telemd_exporter_dropped_items_total', 'Items the exporter dropped without trying to send them', { signal: 'metrics', reason: 'unsupported' });
    const queue = { ...cfg.sending_queue };
    const rwq = cfg.remote_write_queue;
    if (rwq) Object.assign(queue, { enabled: rwq.enabled, queue_size: rwq.queue_size, num_consumers: rwq.num_consumers });
    const n = queue.num_consumers;
    this.queue = queue;
    if (!queue.enabled) this.chains = Array.from({ length: n }, () => Promise.resolve());
    for (let i = 0; i < n; i++) {
      // Each shard needs its own persistent-queue namespace and queue-size gauge.
      const shardSet: CreateSettings = n === 1 ? set : { ...set, id: shardId(set.id, n, i), telemetry: set.telemetry.with({ shard: String(i) }) };
      this.shards.push(
        makeSender({
          set: shardSet,
          signal: 'metrics',
          queue: { ...queue, num_consumers: 1, queue_size: Math.max(1, Math.ceil(queue.queue_size / n)) },
          retry: cfg.retry_on_failure,
          timeoutMs: Number(cfg.timeout),
          push: (b, abort) => this.push(b.data, abort),
        }),
      );
    }
    this.consumers = { metrics: { consume: (md: MetricsData) => this.consume(md) } };
  }

  private async consume(input: MetricsData): Promise<void> {
    if (this.migrating) await this.migrating;
    if (!needsRewrite(input, true)) {
      this.stale?.observe(input, this.clock());
      return this.route(this.targetInfo ? this.targetInfo.add(input) : input);
    }
    // Delta sums are kept only once the batch is accepted, and batches with deltas go one at a
    // time, so a refused batch that comes back is not added twice and each sees the last kept sums.
    const prev = this.deltaTurn;
    let done!: () => void;
    this.deltaTurn = new Promise<void>((r) => (done = r));
    await prev;
    try {
      // The batch is shared with the pipeline's other exporters: copy before rewriting it.
      const md = structuredClone(input);
      const stage = this.delta.stage(md);
      let dropped = stage.dropped;
      // Exponential histograms have no Remote-Write 1.0 form: drop them here so queues hold only sendable data.
      for (const rm of md.resourceMetrics)
        for (const sm of rm.scopeMetrics)
          sm.metrics = sm.metrics.filter((m) => {
            if (m.type !== 'exponentialHistogram') return true;
            dropped += metricPointCount(m);
            this.warnOnce(`exponential histograms are not supported by Remote-Write 1.0 (${m.name})`);
            return false;
          });
      this.stale?.observe(md, this.clock());
      try {
        await this.route(this.targetInfo ? this.targetInfo.add(md) : md);
      } catch (err) {
        stage.rollback();
        throw err;
      }
      stage.commit();
      if (dropped > 0) this.dropped.add(dropped);
    } finally {
      done();
    }
  }

  private async route(md: MetricsData): Promise<void> {
    const parts = shardBySeries(md, this.shards.length);
    await Promise.all(
      parts.map((p, i) => {
        if (!p.resourceMetrics.length) return undefined;
        const send = () => this.shards[i]!.consumer.consume(p);
        if (!this.chains) return send();
        const next = this.chains[i]!.catch(() => undefined).then(send);
        this.chains[i] = next;
        return next;
      }),
    );
  }

  /**
   * Translate, encode, compress and POST (split at max_batch_size_bytes, sent in order). A retry
   * of the same batch resumes at the first request not yet delivered: re-sending a delivered one
   * is refused by Prometheus as out of order (400), which would drop the rest for good.
   */
  private async push(md: MetricsData, abort: AbortSignal): Promise<void> {
    let progress = this.progress.get(md);
    if (!progress) {
      const tr = translateMetrics(md, this.opts);
      const built = buildWriteRequests(tr.families, { metadata: this.cfg.send_metadata && !this.v2, maxBytes: this.cfg.max_batch_size_bytes });
      if (built.invalid > 0) {
        this.dropped.add(built.invalid);
        for (const r of built.invalidReasons) this.warnOnce(`series refused by remote-write label rules: ${r}`);
      }
      progress = { requests: built.requests, next: 0 };
      // Single-request batches have nothing to resume; only split ones are remembered.
      if (built.requests.length > 1) this.progress.set(md, progress);
    }
    for (; progress.next < progress.requests.length; progress.next++) {
      if (abort.aborted) throw ConsumerError.retryable('remote-write aborted');
      await this.sendOne(progress.requests[progress.next]!, abort);
    }
  }

  private async sendOne(req: WriteRequest, abort: AbortSignal): Promise<void> {
    if (this.v2) {
      try {
        const r = await this.client.send(compressRequestV2(req.timeseries), abort, true);
        // A 2.0 receiver reports what it wrote; a 1.x one ignores the v2 fields and writes nothing.
        if (r.samplesWritten !== undefined) return;
        this.fallBack('2xx without X-Prometheus-Remote-Write-Samples-Written (a 1.x receiver)');
      } catch (e) {
        if (!(e instanceof UnsupportedMediaType)) throw e;
        this.fallBack(e.message);
      }
    }
    await this.client.send(compressWriteRequest(req), abort);
  }

  private fallBack(why: string): void {
    this.v2 = false;
    this.set.logger.warn({ reason: why }, 'receiver does not speak Remote-Write 2.0; using 1.0 from now on');
  }

  private warnOnce(reason: string): void {
    if (this.warned.has(reason) || this.warned.size > 100) return;
    this.warned.add(reason);
    this.set.logger.warn({ reason }, 'metric points dropped');
  }

  /** Sends stale markers for series that went quiet (also driven by a 1 s timer). */
  async flushStale(nowMs = this.clock()): Promise<void> {
    if (this.migrating) await this.migrating;
    const md = this.stale?.collect(nowMs);
    if (md) await this.route(md);
  }

  async start(host: Host): Promise<void> {
    if (this.cfg.auth) this.client.auth = clientAuthenticator(host, this.cfg.auth.authenticator);
    for (const s of this.shards) await s.start(host);
    const q = this.queue;
    if (q.enabled && q.storage) {
      // Storage errors here fail start like the queues' own; the move itself runs in the
      // background, and new data waits for it (see consume) so each series stays in order.
      this.migrating = migrateShardLayouts(this.set, host, { ...q, storage: q.storage }, this.shards.length, (md) => this.route(md)).catch(
        (err: unknown) => this.set.logger.error({ error: err instanceof Error ? err.message : String(err) }, 'persistent shard queues of an earlier num_consumers not moved'),
      );
    }
    if (this.stale) {
      this.staleTimer = setInterval(() => {
        this.flushStale().catch((err: unknown) =>
          this.set.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'stale markers not delivered'),
        );
      }, 1000);
      this.staleTimer.unref();
    }
  }

  async shutdown(budgetMs?: number): Promise<void> {
    if (this.staleTimer) clearInterval(this.staleTimer);
    await Promise.all(this.shards.map((s) => s.shutdown(budgetMs)));
    // Shut-down shards refuse what is still being moved; it stays in the old queue.
    await this.migrating;
    this.client.close();
  }
}
