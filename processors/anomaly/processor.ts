import picomatch from 'picomatch';
import type { CreateSettings, Host, Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import { AnomalyDetector, DEFAULT_DETECTOR, type DetectorOptions } from '../../src/analysis/detector.js';
import { LruMap } from '../../src/analysis/series.js';
import { attrsKey } from '../../src/processorhelper/series.js';
import { nowNanos } from '../../src/pdata/time.js';
import { AggregationTemporality, type LogRecord, type LogsData, type MetricsData, type NumberDataPoint, type Resource } from '../../src/pdata/types.js';
import type { Counter } from '../../src/telemetry/self.js';
import type { Config } from './config.js';

interface SeriesState {
  det: AnomalyDetector;
  /** Previous cumulative value and time (s), for rates of cumulative sums. */
  prev?: { v: number; t: number };
  /** Time (s) of the last scored point: retried or out-of-order points are not scored twice. */
  lastT: number;
  anomalous: boolean;
}

interface Onset {
  resource: Resource;
  metric: string;
  point: NumberDataPoint;
  value: number;
  score: number;
  low: number;
  high: number;
}

const num = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v) : v);

export class AnomalyProcessor implements Processor<MetricsData> {
  /** Adds anomaly.score / anomaly attributes to the points in place. */
  readonly capabilities = { mutatesData: true };
  private series: LruMap<SeriesState>;
  private match: (name: string) => boolean;
  private scored: Counter;
  private tagged: Counter;
  private evicted: Counter;
  private onsets: Counter;
  private eventsFailed: Counter;
  private stale: Counter;
  private warnedNoLogs = false;
  private detectorOptions: DetectorOptions;

  constructor(
    private set: CreateSettings,
    private cfg: Config,
    private next: Consumer<MetricsData>,
    /** The logs pipelines listing this processor id (a hand-over connector), if any. */
    private onsetsOut?: Consumer<LogsData>,
  ) {
    this.series = new LruMap(cfg.max_series);
    this.detectorOptions = { ...DEFAULT_DETECTOR, warmup: cfg.warmup, suppress: cfg.suppress_points, onset: cfg.threshold };
    const inc = cfg.include.length ? picomatch(cfg.include) : () => true;
    const exc = cfg.exclude.length ? picomatch(cfg.exclude) : () => false;
    this.match = (n) => inc(n) && !exc(n);
    const t = set.telemetry;
    const l = { signal: 'metrics' };
    this.scored = t.counter('telemd_processor_anomaly_scored_points_total', 'Data points scored by the detector', l);
    this.tagged = t.counter('telemd_processor_anomaly_anomalous_points_total', 'Data points at or above the threshold', l);
    this.onsets = t.counter('telemd_processor_anomaly_onsets_total', 'Anomalies that started (series went from normal to anomalous)', l);
    this.evicted = t.counter('telemd_processor_anomaly_series_evicted_total', 'Series forgotten because max_series was reached', l);
    this.eventsFailed = t.counter('telemd_processor_anomaly_events_failed_total', 'Onset log records the logs pipelines refused', l);
    this.stale = t.counter('telemd_processor_anomaly_stale_points_total', 'Points not newer than the last scored one of their series (retries, out of order): passed on unscored', l);
    t.observe('telemd_processor_anomaly_series', 'Series tracked', l, () => this.series.size);
  }

  async start(_host: Host): Promise<void> {}
  async shutdown(): Promise<void> {}

  async consume(data: MetricsData): Promise<void> {
    const onsets = this.tag(data);
    if (onsets.length && this.cfg.emit_logs) this.emit(onsets);
    await this.next.consume(data);
  }

  /** Scores and tags every eligible point in place; returns the onsets seen. */
  private tag(data: MetricsData): Onset[] {
    const onsets: Onset[] = [];
    const now = nowNanos();
    for (const rm of data.resourceMetrics) {
      const rkey = attrsKey(rm.resource.attributes);
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics) {
          if ((m.type !== 'gauge' && m.type !== 'sum') || !this.match(m.name)) continue;
          const rate = m.type === 'sum' && m.isMonotonic;
          const delta = m.type === 'sum' && m.aggregationTemporality === AggregationTemporality.Delta;
          for (const p of m.dataPoints) {
            const key = `${m.name}\u0000${rkey}\u0000${attrsKey(p.attributes)}`;
            let st = this.series.get(key);
            if (!st) {
              st = { det: new AnomalyDetector(this.detectorOptions), lastT: -Infinity, anomalous: false };
              this.evicted.add(this.series.set(key, st));
            }
            // Seconds as a double (no BigInt division per point; nanosecond precision is not needed).
            const t = Number(p.timeUnixNano || now) / 1e9;
            if (t <= st.lastT) {
              this.stale.add();
              continue;
            }
            st.lastT = t;
            let v = num(p.value);
            if (rate) {
              // Monotonic sums are scored as per-second rates: the level of a counter says nothing.
              if (delta) {
                const dt = p.startTimeUnixNano ? Number((p.timeUnixNano - p.startTimeUnixNano) / 1_000_000n) / 1000 : 0;
                v = dt > 0 ? v / dt : v;
              } else {
                const prev = st.prev;
                st.prev = { v, t };
                if (!prev || v < prev.v) continue; // first point or counter reset
                v = (v - prev.v) / (t - prev.t);
              }
            }
            const score = st.det.update(t, v);
            this.scored.add();
            if (st.det.count <= this.cfg.warmup) continue;
            const anomalous = score >= this.cfg.threshold;
            if (anomalous) this.tagged.add();
            if (anomalous || this.cfg.mode === 'tag_all') {
              p.attributes['anomaly.score'] = Math.round(score * 1e4) / 1e4;
              p.attributes['anomaly'] = anomalous;
            }
            // A point in the damping after an onset continues that incident, breakthrough or not.
            if (anomalous && !st.anomalous && !st.det.continuation) {
              this.onsets.add();
              const e = st.det.expected;
              onsets.push({ resource: rm.resource, metric: m.name, point: p, value: v, score, low: e.low, high: e.high });
            }
            st.anomalous = anomalous;
          }
        }
    }
    return onsets;
  }

  /** Onset records go to logs pipelines holding this processor id; metrics never wait for them. */
  private emit(onsets: Onset[]): void {
    if (!this.onsetsOut) {
      if (!this.warnedNoLogs)
        this.set.logger.warn(
          { processor: this.set.id.id },
          'emit_logs is on but no logs pipeline contains this processor; onset records are not emitted',
        );
      this.warnedNoLogs = true;
      return;
    }
    const now = nowNanos();
    const byResource = new Map<Resource, LogRecord[]>();
    for (const o of onsets) {
      const attrs = { ...o.point.attributes };
      delete attrs['anomaly'];
      delete attrs['anomaly.score'];
      const rec: LogRecord = {
        timeUnixNano: o.point.timeUnixNano || now,
        observedTimeUnixNano: now,
        severityNumber: 13,
        severityText: 'WARN',
        eventName: 'anomaly.onset',
        body: `anomaly in ${o.metric}: ${fmt(o.value)} outside the expected ${fmt(o.low)}..${fmt(o.high)} (score ${o.score.toFixed(3)})`,
        attributes: {
          ...attrs,
          'metric.name': o.metric,
          'metric.value': o.value,
          'anomaly.score': Math.round(o.score * 1e4) / 1e4,
          'anomaly.expected.low': o.low,
          'anomaly.expected.high': o.high,
        },
      };
      const list = byResource.get(o.resource) ?? [];
      list.push(rec);
      byResource.set(o.resource, list);
    }
    const logs = {
      resourceLogs: [...byResource].map(([resource, logRecords]) => ({
        resource: structuredClone(resource),
        scopeLogs: [{ scope: { name: 'telemd/anomaly' }, logRecords }],
      })),
    };
    this.onsetsOut.consume(logs).catch((err: unknown) => {
      this.eventsFailed.add(onsets.length);
      this.set.logger.warn({ err: String(err), records: onsets.length }, 'logs pipeline refused anomaly onset records');
    });
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
}
