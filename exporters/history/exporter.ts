import { resolve } from 'node:path';
import type { CreateSettings, Exporter, Host } from '../../src/component/component.js';
import { ConsumerError, type SignalConsumers } from '../../src/component/consumer.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { countMetricPoints } from '../../src/pdata/count.js';
import { DeltaAccumulator, needsRewrite, translateMetrics, type PromFamily, type TranslateOptions } from '../../src/prometheus/index.js';
import { STALE_NAN } from '../../src/promql/queryable.js';
import type { Counter, SelfMetricName } from '../../src/telemetry/self.js';
import { registerStore, Tsdb, type AppendSample, type RefuseReason, type TsdbStats } from '../../src/tsdb/index.js';
import { resolutionMs, type Config } from './config.js';

const REASONS: RefuseReason[] = ['out_of_order', 'too_old', 'duplicate_timestamp', 'invalid'];

function kindOf(f: PromFamily, name: string): 'counter' | 'gauge' {
  if (f.type === 'counter' || f.type === 'histogram') return 'counter';
  if (f.type === 'summary' && (name.endsWith('_sum') || name.endsWith('_count'))) return 'counter';
  return 'gauge';
}

/**
 * Stores the metrics of its pipelines in a local history store (src/tsdb), as the Prometheus
 * series the prometheus exporter exposes. A batch is acknowledged once the store's WAL holds
 * it under `wal_fsync_interval`; a failed WAL write refuses it as retryable.
 */
export class HistoryExporter implements Exporter {
  readonly consumers: SignalConsumers;
  private db?: Tsdb;
  private unregister?: () => void;
  private readonly delta: DeltaAccumulator;
  private deltaTurn: Promise<void> = Promise.resolve();
  private readonly opts: TranslateOptions;
  private readonly sent: Counter;
  private readonly failed: Counter;
  private readonly dropped: Counter;
  private readonly warned = new Set<string>();
  private cache?: { at: number; stats: TsdbStats };
  readonly directory: string;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
  ) {
    this.directory = resolve(cfg.directory);
    this.delta = new DeltaAccumulator(cfg.delta_temporality);
    this.opts = {
      addMetricSuffixes: cfg.add_metric_suffixes,
      namespace: cfg.namespace,
      resourceToTelemetry: cfg.resource_to_telemetry_conversion.enabled,
      targetInfo: cfg.target_info.enabled,
      scopeLabels: true,
      extraLabels: cfg.const_labels,
    };
    const t = set.telemetry.with({ signal: 'metrics' });
    this.sent = t.counter('telemd_exporter_sent_items_total', 'Items successfully sent');
    this.failed = t.counter('telemd_exporter_send_failed_items_total', 'Items that failed to send');
    this.dropped = t.counter('telemd_exporter_dropped_items_total', 'Items dropped', { reason: 'unsupported' });
    this.selfMetrics();
    this.consumers = { metrics: { consume: (md: MetricsData) => this.consume(md) } };
  }

  /** The open store (after start). */
  get store(): Tsdb | undefined {
    return this.db;
  }

  private stats(): TsdbStats | undefined {
    const db = this.db;
    if (!db) return this.cache?.stats;
    const now = Date.now();
    if (!this.cache || now - this.cache.at > 500) this.cache = { at: now, stats: db.stats() };
    return this.cache.stats;
  }

  private selfMetrics(): void {
    const t = this.set.telemetry;
    const obs = (name: SelfMetricName, help: string, labels: Record<string, string>, fn: (s: TsdbStats) => number, type: 'counter' | 'gauge' = 'gauge') =>
      t.observe(name, help, labels, () => {
        const s = this.stats();
        return s ? fn(s) : 0;
      }, type);
    obs('telemd_exporter_history_samples_appended_total', 'Samples stored (staleness markers included)', {}, (s) => s.samplesAppended, 'counter');
    obs('telemd_exporter_history_duplicate_samples_total', 'Samples received again with the same value (stored once)', {}, (s) => s.duplicates, 'counter');
    for (const r of REASONS)
      obs('telemd_exporter_history_samples_refused_total', 'Samples not stored', { reason: r }, (s) => s.refused[r], 'counter');
    obs('telemd_exporter_history_stale_markers_total', 'Staleness markers written for series that stopped', {}, (s) => s.staleMarkers, 'counter');
    obs('telemd_exporter_history_series', 'Series in the store', {}, (s) => s.series);
    obs('telemd_exporter_history_head_series', 'Series with samples in memory (not yet in a block)', {}, (s) => s.headSeries);
    obs('telemd_exporter_history_head_samples', 'Samples in memory', {}, (s) => s.headSamples);
    obs('telemd_exporter_history_head_bytes', 'Bytes of samples in memory', {}, (s) => s.headBytes);
    obs('telemd_exporter_history_disk_bytes', 'Bytes on disk', { tier: 'wal' }, (s) => s.walBytes);
    obs('telemd_exporter_history_wal_fsyncs_total', 'WAL fdatasync calls', {}, (s) => s.walFsyncs, 'counter');
    obs('telemd_exporter_history_wal_corrupt_records_total', 'Damaged WAL records skipped at start', { reason: 'torn_tail' }, (s) => s.replay.tornTail, 'counter');
    obs('telemd_exporter_history_wal_corrupt_records_total', 'Damaged WAL records skipped at start', { reason: 'corrupt_record' }, (s) => s.replay.corruptRecords, 'counter');
    obs('telemd_exporter_history_compaction_failures_total', 'Compactions that failed (retried)', {}, (s) => s.compactionFailures, 'counter');
    obs('telemd_exporter_history_read_errors_total', 'Block reads that failed during queries', {}, (s) => s.readErrors, 'counter');
    this.cfg.tiers.forEach((tier, i) => {
      const name = resolutionMs(tier.resolution) === 0 ? 'raw' : tier.resolution;
      const labels = { tier: name };
      const of = (s: TsdbStats) => s.tiers[i]!;
      obs('telemd_exporter_history_disk_bytes', 'Bytes on disk', labels, (s) => of(s).bytes);
      obs('telemd_exporter_history_blocks', 'Blocks on disk', labels, (s) => of(s).blocks);
      obs('telemd_exporter_history_stored_samples', 'Samples (raw) or roll-up points in blocks', labels, (s) => of(s).samples);
      obs('telemd_exporter_history_bytes_per_sample', 'Block bytes per stored sample or roll-up point', labels, (s) => (of(s).samples ? of(s).bytes / of(s).samples : 0));
      obs('telemd_exporter_history_oldest_timestamp_seconds', 'Oldest time the tier holds', labels, (s) => (of(s).oldestMs ?? 0) / 1000);
      obs('telemd_exporter_history_compactions_total', 'Blocks written (cuts from the head and merges)', labels, (s) => of(s).compactions, 'counter');
      for (const reason of ['retention', 'size'] as const) {
        obs('telemd_exporter_history_deleted_blocks_total', 'Blocks deleted', { ...labels, reason }, (s) => of(s).deletedBlocks[reason], 'counter');
        obs('telemd_exporter_history_deleted_samples_total', 'Samples or roll-up points deleted with their blocks', { ...labels, reason }, (s) => of(s).deletedSamples[reason], 'counter');
      }
    });
  }

  private warnOnce(reason: string, fields: Record<string, unknown> = {}): void {
    if (this.warned.has(reason) || this.warned.size > 100) return;
    this.warned.add(reason);
    this.set.logger.warn({ reason, ...fields }, 'history: samples not stored');
  }

  private async consume(input: MetricsData): Promise<void> {
    if (!needsRewrite(input)) return this.write(input);
    // Delta sums are kept only once the batch is stored, one batch at a time, so a refused
    // batch that comes back is not added twice.
    const prev = this.deltaTurn;
    let done!: () => void;
    this.deltaTurn = new Promise<void>((r) => (done = r));
    await prev;
    try {
      const md = structuredClone(input); // the batch is shared with the pipeline's other exporters
      const stage = this.delta.stage(md);
      try {
        await this.write(md, stage.dropped);
      } catch (err) {
        stage.rollback();
        throw err;
      }
      stage.commit();
    } finally {
      done();
    }
  }

  private async write(md: MetricsData, alreadyDropped = 0): Promise<void> {
    const db = this.db;
    const points = countMetricPoints(md) + alreadyDropped;
    if (!db) throw ConsumerError.retryable('history exporter is not started');
    const tr = translateMetrics(md, this.opts);
    for (const r of tr.dropReasons) this.warnOnce(r);
    const samples: AppendSample[] = [];
    for (const f of tr.families) {
      const type = f.type === 'counter' || f.type === 'gauge' || f.type === 'histogram' || f.type === 'summary' ? f.type : 'unknown';
      db.setMetadata(f.name, { type, help: f.help, unit: f.unit });
      for (const s of f.samples) {
        const labels: Record<string, string> = {};
        let name = '';
        for (const l of s.labels) {
          labels[l.name] = l.value;
          if (l.name === '__name__') name = l.value;
        }
        samples.push({ labels, t: s.timestampMs, v: s.stale ? STALE_NAN : s.value, kind: kindOf(f, name) });
      }
    }
    const dropped = tr.dropped + alreadyDropped;
    let res;
    try {
      res = await db.append(samples);
    } catch (err) {
      this.failed.add(points - dropped);
      throw ConsumerError.retryable(`history: ${(err as Error).message}`, { cause: err });
    }
    for (const [reason, n] of Object.entries(res.refused))
      if (n) this.warnOnce(reason, { example: reason === 'out_of_order' || reason === 'too_old' ? 'samples older than the newest stored sample of their series' : undefined });
    if (dropped > 0) this.dropped.add(dropped);
    this.sent.add(Math.max(0, points - dropped));
  }

  async start(_host: Host): Promise<void> {
    const interval = this.cfg.wal_fsync_interval;
    const db = await Tsdb.open({
      dir: this.directory,
      walFsyncIntervalMs: interval,
      maxSizeBytes: this.cfg.max_size,
      blockDurationMs: this.cfg.block_duration,
      tiers: this.cfg.tiers.map((t) => ({ resolutionMs: resolutionMs(t.resolution)!, retentionMs: t.retention })),
      staleness: { enabled: this.cfg.stale_markers.enabled, afterMs: this.cfg.stale_markers.after, minAfterMs: this.cfg.stale_markers.min_after },
      logger: this.set.logger,
    });
    this.db = db;
    this.unregister = registerStore(this.set.id.id, db);
    const st = db.stats();
    this.set.logger.info(
      { directory: this.directory, series: st.series, blocks: st.tiers.reduce((n, t) => n + t.blocks, 0), wal_fsync_interval_ms: interval, max_size: this.cfg.max_size },
      'history store open',
    );
  }

  async shutdown(): Promise<void> {
    const db = this.db;
    if (!db) return;
    this.cache = { at: Date.now(), stats: db.stats() };
    this.unregister?.();
    this.unregister = undefined;
    this.db = undefined;
    await db.close();
  }
}
