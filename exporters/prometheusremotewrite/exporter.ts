import type { CreateSettings, Exporter, Host } from '../../src/component/component.js';
import { ConsumerError, type SignalConsumers } from '../../src/component/consumer.js';
import { createQueuedSender, OutcomeReporter, PartialDelivery } from '../../src/exporterhelper/index.js';
import type { QueuedSender, QueuedSenderOptions } from '../../src/exporterhelper/api.js';
import { Batch } from '../../src/exporterhelper/batch.js';
import { PROMETHEUS_RW2_CODEC } from '../../src/exporterhelper/codec.js';
import type { SendingQueueConfig } from '../../src/exporterhelper/config.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { metricPointCount } from '../../src/pdata/count.js';
import type { Counter } from '../../src/telemetry/self.js';
import { DeltaAccumulator, needsRewrite } from '../../src/prometheus/index.js';
import { snappy } from '../../src/prometheus/snappy.js';
import { RemoteWriteClient, UnsupportedMediaType } from './client.js';
import type { Config } from './config.js';
import { RequestBuilder, seriesOf, v1Body } from './requests.js';
import { migrateShardLayouts, shardId } from './shard-layout.js';
import { StaleTracker } from './stale.js';
import { TargetInfo } from './targetinfo.js';
import { clientAuthenticator } from '../../src/auth/auth.js';

export type SenderFactory = (o: QueuedSenderOptions<'metrics'>) => QueuedSender<'metrics'>;

/**
 * Remote-Write sender. A batch is translated, split by series into `num_consumers` shards and
 * encoded when it arrives (requests.ts); each shard is an ordered queue of request bytes with one
 * sender, so samples of a series always arrive in timestamp order (Prometheus refuses
 * out-of-order samples) while shards send in parallel.
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
  private readonly requests: RequestBuilder;
  private dropped: Counter;
  private warned = new Set<string>();
  private v2: boolean;
  /** Without a queue, sends of one shard are chained so a series' samples stay in order. */
  private chains?: Promise<unknown>[];
  private queue: SendingQueueConfig;
  /** Moving batches out of the queues of an earlier num_consumers (see shard-layout.ts). */
  private migrating?: Promise<void>;

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
    this.dropped = new OutcomeReporter(set, 'metrics').dropped('unsupported');
    const queue = { ...cfg.sending_queue };
    const rwq = cfg.remote_write_queue;
    if (rwq) Object.assign(queue, { enabled: rwq.enabled, queue_size: rwq.queue_size, num_consumers: rwq.num_consumers });
    const n = queue.num_consumers;
    this.queue = queue;
    this.requests = new RequestBuilder(
      {
        translate: {
          addMetricSuffixes: cfg.add_metric_suffixes,
          namespace: cfg.namespace,
          resourceToTelemetry: cfg.resource_to_telemetry_conversion.enabled,
          // target_info is added before sharding (see targetinfo.ts), not per shard at translation.
          targetInfo: false,
          scopeLabels: true,
          extraLabels: cfg.external_labels,
        },
        metadata: cfg.send_metadata,
        maxBytes: cfg.max_batch_size_bytes,
        shards: n,
      },
      (samples, reasons) => {
        this.dropped.add(samples);
        for (const r of reasons) this.warnOnce(`series refused by remote-write label rules: ${r}`);
      },
    );
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
          encoding: this.requests.encoding,
          push: (b, abort) => this.push(b, abort),
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

  /** Translate, shard and encode now; the shards' queues hold the request bytes. */
  private route(md: MetricsData): Promise<void> {
    return this.offer(this.requests.fromMetrics(md, this.v2));
  }

  /** Each shard's requests into its queue, in order (without a queue: one send at a time per shard). */
  private async offer(byShard: Batch<'metrics'>[][]): Promise<void> {
    await Promise.all(
      byShard.map((reqs, i) => {
        if (reqs.length === 0) return undefined;
        const shard = this.shards[i]!;
        const send = () => Promise.all(reqs.map((r) => shard.offer(r)));
        if (!this.chains) return send();
        const next = this.chains[i]!.catch(() => undefined).then(async () => {
          for (const r of reqs) await shard.offer(r);
        });
        this.chains[i] = next;
        return next;
      }),
    );
  }

  /** POST one queued request (snappy-compressed), in the version the receiver speaks. */
  private async push(b: Batch<'metrics'>, abort: AbortSignal): Promise<void> {
    if (!b.bytes) return this.pushRecords(b, abort);
    if (abort.aborted) throw ConsumerError.retryable('remote-write aborted');
    if (b.codecId === PROMETHEUS_RW2_CODEC && this.v2) {
      try {
        const r = await this.client.send(snappy().compressSync(Buffer.from(b.bytes)), abort, true);
        // A 2.0 receiver reports what it wrote; a 1.x one ignores the v2 fields and writes nothing.
        if (r.samplesWritten !== undefined) return;
        this.fallBack('2xx without X-Prometheus-Remote-Write-Samples-Written (a 1.x receiver)');
      } catch (e) {
        if (!(e instanceof UnsupportedMediaType)) throw e;
        this.fallBack(e.message);
      }
    }
    await this.client.send(snappy().compressSync(Buffer.from(v1Body(b))), abort);
  }

  /**
   * OTLP records left in a persistent queue by a build that queued records: translated now and
   * sent in order; a failure after some requests hands back only the rest.
   */
  private async pushRecords(b: Batch<'metrics'>, abort: AbortSignal): Promise<void> {
    const reqs = this.requests.fromMetrics(b.data, false, 1)[0]!;
    let delivered = 0;
    for (let i = 0; i < reqs.length; i++) {
      try {
        await this.push(reqs[i]!, abort);
      } catch (err) {
        if (i === 0) throw err;
        const rest = reqs.slice(i);
        throw new PartialDelivery(delivered, Batch.merge(rest)!, err);
      }
      delivered += reqs[i]!.items;
    }
  }

  /** A batch of a queue of an earlier num_consumers: into the current shards, sharded again. */
  private move(b: Batch<'metrics'>): Promise<void> {
    if (!b.bytes) return this.route(b.data);
    return this.offer(this.requests.fromSeries(seriesOf(b), b.items, b.codecId === PROMETHEUS_RW2_CODEC && this.v2));
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
      this.migrating = migrateShardLayouts(this.set, host, { ...q, storage: q.storage }, this.shards.length, this.requests.encoding, (b) => this.move(b)).catch(
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
