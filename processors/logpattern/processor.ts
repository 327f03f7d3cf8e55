import type { CreateSettings, Host, Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import { TemplateMiner, type Cluster, type SavedCluster } from '../../src/analysis/drain.js';
import { nowNanos } from '../../src/pdata/time.js';
import { AggregationTemporality, type AnyValue, type LogsData, type MetricsData, type NumberDataPoint } from '../../src/pdata/types.js';
import type { StorageClient } from '../../src/storage/storage.js';
import type { Counter } from '../../src/telemetry/self.js';
import type { Config } from './config.js';
import { RateTracker } from './rates.js';

const STORAGE_KEY = 'templates';

interface Saved {
  version: 1;
  templates: SavedCluster[];
}

/** The text a template is mined from: a string body, or a scalar body as text. */
function messageOf(body: AnyValue): string | undefined {
  if (typeof body === 'string') return body;
  if (typeof body === 'number' || typeof body === 'boolean' || typeof body === 'bigint') return String(body);
  return undefined;
}

export class LogPatternProcessor implements Processor<LogsData> {
  /** Adds log.template / anomaly attributes to the records in place. */
  readonly capabilities = { mutatesData: true };
  private miner: TemplateMiner;
  private rates: RateTracker;
  private created: Counter;
  private evicted: Counter;
  private anomalies: Counter;
  private skipped: Counter;
  private storageErrors: Counter;
  private storage?: StorageClient;
  private dirty = false;
  private firstMs = NaN;
  private warm = false;
  private timers: NodeJS.Timeout[] = [];
  /** Records per template id since the last count emission. */
  private pending = new Map<string, { cluster: Cluster; n: number }>();
  private lastCountNs = nowNanos();
  private warnedNoMetrics = false;

  constructor(
    private set: CreateSettings,
    private cfg: Config,
    private next: Consumer<LogsData>,
    /** The metrics pipelines listing this processor id (a hand-over connector), if any. */
    private countsOut?: Consumer<MetricsData>,
  ) {
    this.miner = new TemplateMiner({
      prefixTokens: cfg.depth - 2,
      similarity: cfg.similarity,
      maxChildren: cfg.max_children,
      maxTemplates: cfg.max_templates,
    });
    this.rates = new RateTracker(cfg.rate_window, cfg.rate_factor, cfg.rate_min_count);
    const t = set.telemetry;
    const l = { signal: 'logs' };
    this.created = t.counter('telemd_processor_logpattern_new_templates_total', 'Templates created', l);
    this.evicted = t.counter('telemd_processor_logpattern_templates_evicted_total', 'Templates forgotten because max_templates was reached', l);
    this.anomalies = t.counter('telemd_processor_logpattern_anomalous_records_total', 'Records tagged anomaly=true (new template or rate jump)', l);
    this.skipped = t.counter('telemd_processor_logpattern_skipped_records_total', 'Records without a text body (passed on untagged)', l);
    this.storageErrors = t.counter('telemd_processor_logpattern_storage_errors_total', 'Failed template loads or saves', l);
    t.observe('telemd_processor_logpattern_templates', 'Templates known', l, () => this.miner.size);
  }

  async start(host: Host): Promise<void> {
    if (this.cfg.storage) {
      this.storage = await host.getStorage(this.cfg.storage, this.set.id, 'logs');
      await this.load();
      this.timers.push(setInterval(() => void this.save(), this.cfg.save_interval).unref());
    }
    if (this.cfg.emit_counts) this.timers.push(setInterval(() => void this.emitCounts(), this.cfg.count_interval).unref());
  }

  async shutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.cfg.emit_counts) await this.emitCounts();
    if (this.storage) {
      await this.save();
      await this.storage.close();
      this.storage = undefined;
    }
  }

  async consume(data: LogsData): Promise<void> {
    const nowMs = Date.now();
    if (Number.isNaN(this.firstMs)) this.firstMs = nowMs;
    if (!this.warm && nowMs - this.firstMs >= this.cfg.warmup) this.warm = true;
    for (const rl of data.resourceLogs)
      for (const sl of rl.scopeLogs)
        for (const rec of sl.logRecords) {
          const text = messageOf(rec.body);
          if (text === undefined) {
            this.skipped.add();
            continue;
          }
          const m = this.miner.add(text);
          if (m.created) {
            this.created.add();
            this.dirty = true;
          }
          if (m.evicted) {
            this.evicted.add();
            this.rates.forget(m.evicted.id);
            this.pending.delete(m.evicted.id);
          }
          const c = m.cluster;
          rec.attributes['log.template'] = TemplateMiner.text(c);
          rec.attributes['log.template.id'] = c.id;
          const jump = this.rates.record(c.id, nowMs);
          if (this.warm && (m.created || jump)) {
            rec.attributes['anomaly'] = true;
            rec.attributes['anomaly.reason'] = m.created ? 'new_template' : 'rate_jump';
            this.anomalies.add();
          }
          if (this.cfg.emit_counts) {
            const p = this.pending.get(c.id);
            if (p) p.n++;
            else this.pending.set(c.id, { cluster: c, n: 1 });
          }
        }
    await this.next.consume(data);
  }

  private async load(): Promise<void> {
    try {
      const buf = await this.storage!.get(STORAGE_KEY);
      if (!buf) return;
      const saved = JSON.parse(buf.toString('utf8')) as Saved;
      if (saved.version !== 1 || !Array.isArray(saved.templates)) throw new Error(`unknown format version ${String(saved.version)}`);
      this.miner.load(saved.templates);
      // Saved templates are the learnt baseline: no warm-up needed to call a template new.
      if (this.miner.size > 0) this.warm = true;
      this.set.logger.info({ templates: this.miner.size }, 'log templates loaded');
    } catch (err) {
      this.storageErrors.add();
      this.set.logger.warn({ err: String(err) }, 'saved log templates unreadable; starting without them');
    }
  }

  private async save(): Promise<void> {
    if (!this.storage || !this.dirty) return;
    this.dirty = false;
    const saved: Saved = { version: 1, templates: this.miner.save() };
    try {
      await this.storage.set(STORAGE_KEY, JSON.stringify(saved));
    } catch (err) {
      this.dirty = true;
      this.storageErrors.add();
      this.set.logger.warn({ err: String(err) }, 'saving log templates failed; will retry');
    }
  }

  /** Publishes log.template.count (delta sum per template) to metrics pipelines with this id. */
  private async emitCounts(): Promise<void> {
    const now = nowNanos();
    const start = this.lastCountNs;
    this.lastCountNs = now;
    if (this.pending.size === 0) return;
    const dataPoints: NumberDataPoint[] = [...this.pending.values()].map(({ cluster, n }) => ({
      attributes: { 'log.template.id': cluster.id, 'log.template': TemplateMiner.text(cluster) },
      startTimeUnixNano: start,
      timeUnixNano: now,
      value: BigInt(n),
    }));
    this.pending.clear();
    const data: MetricsData = {
      resourceMetrics: [
        {
          resource: { attributes: {} },
          scopeMetrics: [
            {
              scope: { name: 'telemd/logpattern' },
              metrics: [
                {
                  name: 'log.template.count',
                  description: 'Log records per template',
                  unit: '{record}',
                  type: 'sum',
                  isMonotonic: true,
                  aggregationTemporality: AggregationTemporality.Delta,
                  dataPoints,
                },
              ],
            },
          ],
        },
      ],
    };
    try {
      if (this.countsOut) await this.countsOut.consume(data);
      else if (!this.warnedNoMetrics) {
        this.warnedNoMetrics = true;
        this.set.logger.warn({ processor: this.set.id.id }, 'emit_counts is on but no metrics pipeline contains this processor; counts are not emitted');
      }
    } catch (err) {
      this.set.logger.warn({ err: String(err), points: dataPoints.length }, 'metrics pipeline refused log.template.count');
    }
  }
}
