// The series this connector has seen, for its rules: OTLP metrics translated exactly as the
// prometheus exporter names them (src/prometheus/translate.ts), kept in a bounded in-memory
// window (src/promql MemoryQueryable) as long as the longest range in the rules plus the
// lookback. Only the metric names the rules select are kept (all of them when a selector has
// no fixed name). Departures from the exporter's view, and why:
// - no otel_scope_name / otel_scope_version labels (alerts should not carry them);
// - delta sums and histograms are accumulated (as the exporter does), and a delta series that
//   starts gets a zero sample at its start, so the first batch of a sparse count (errors) is
//   already an increase;
// - points tagged by the anomaly processor (`anomaly.score`, `anomaly`) keep their series
//   without those tags, and the tags become `telemd_anomaly_score` and `telemd_anomaly` (1/0)
//   series labelled `anomaly_metric` = the tagged series' name.
import type { Attributes, Metric, MetricsData, NumberDataPoint, ResourceMetrics } from '../../src/pdata/types.js';
import { DeltaAccumulator, metricName, needsRewrite, translateMetrics, type MetricKind, type TranslateOptions } from '../../src/prometheus/index.js';
import { MemoryQueryable, STALE_NAN } from '../../src/promql/index.js';
import type { MetricRegistry } from '../../src/telemetry/self.js';

export const ANOMALY_SCORE = 'telemd_anomaly_score';
export const ANOMALY_FLAG = 'telemd_anomaly';

const TRANSLATE: TranslateOptions = { addMetricSuffixes: true, resourceToTelemetry: false, targetInfo: false, scopeLabels: false };

function kindOf(m: Metric): MetricKind | undefined {
  switch (m.type) {
    case 'gauge':
      return 'gauge';
    case 'sum':
      return m.isMonotonic ? 'counter' : 'gauge';
    case 'histogram':
      return 'histogram';
    case 'summary':
      return 'summary';
    default:
      return undefined;
  }
}

export interface IngestResult {
  appended: number;
  refused: number;
}

export class AlertWindow {
  readonly store: MemoryQueryable;
  /** Names to keep; undefined = every series. */
  private names: Set<string> | undefined;
  private anomalyWanted = false;
  private targetInfo = false;
  private readonly delta = new DeltaAccumulator('accumulate');
  /** Delta-born series and when they were last seen (a zero is written when one starts). */
  private readonly deltaSeen = new Map<string, number>();
  /** Wall time each metric name was last ingested (restored alerts wait for their data). */
  readonly lastSeen = new Map<string, number>();
  lastIngestMs = 0;
  private lastSelfMs = 0;
  private lastSweepMs = 0;

  constructor(
    /** Samples older than this behind now are dropped (set from the rules' longest range). */
    public retentionMs: number,
    maxSeries: number,
  ) {
    this.store = new MemoryQueryable({ maxSeries });
  }

  /** Drops samples older than the retention (at most every 10 s: it walks every series). */
  sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 10_000) return;
    this.lastSweepMs = nowMs;
    this.store.dropBefore(nowMs - this.retentionMs);
  }

  /** The names the rules select (undefined: keep everything). */
  setNames(names: Set<string> | undefined): void {
    this.names = names;
    this.anomalyWanted = !names || names.has(ANOMALY_SCORE) || names.has(ANOMALY_FLAG);
    this.targetInfo = !names || names.has('target_info');
  }

  wants(name: string): boolean {
    return !this.names || this.names.has(name);
  }

  ingest(md: MetricsData, nowMs = Date.now()): IngestResult {
    const picked = this.pick(md);
    if (picked.resourceMetrics.length === 0) return { appended: 0, refused: 0 };
    const deltaKeys = needsRewrite(picked) ? deltaSeriesNames(picked) : undefined;
    this.delta.apply(picked, nowMs);
    const res = translateMetrics(picked, { ...TRANSLATE, targetInfo: this.targetInfo, now: () => nowMs });
    let appended = 0;
    let refused = 0;
    for (const f of res.families) {
      this.lastSeen.set(f.name, nowMs);
      const isDelta = deltaKeys?.has(f.name) ?? false;
      for (const s of f.samples) {
        const labels: Record<string, string> = {};
        for (const l of s.labels) labels[l.name] = l.value;
        if (isDelta) this.zeroAtStart(labels, s.timestampMs, nowMs);
        const r = this.store.append(labels, s.timestampMs, s.stale ? STALE_NAN : s.value);
        if (r === 'ok') appended++;
        else if (r !== 'duplicate' || !s.stale) refused++;
      }
    }
    this.lastIngestMs = nowMs;
    return { appended, refused };
  }

  private zeroAtStart(labels: Record<string, string>, t: number, nowMs: number): void {
    const key = JSON.stringify(Object.entries(labels).sort());
    const last = this.deltaSeen.get(key);
    this.deltaSeen.set(key, nowMs);
    if (last !== undefined && nowMs - last < 5 * 60_000) return;
    this.store.append(labels, t - 1, 0);
    if (this.deltaSeen.size > 100_000) for (const [k, v] of this.deltaSeen) if (nowMs - v > 5 * 60_000) this.deltaSeen.delete(k);
  }

  /** The metrics the rules read, as copies the accumulator and tag stripping may change. */
  private pick(md: MetricsData): MetricsData {
    const out: ResourceMetrics[] = [];
    for (const rm of md.resourceMetrics) {
      const scopes = [];
      for (const sm of rm.scopeMetrics) {
        const metrics: Metric[] = [];
        for (const m of sm.metrics) {
          const kind = kindOf(m);
          if (!kind) continue;
          const name = metricName(m.name, m.unit, kind, { addSuffixes: true });
          const wanted = this.wants(name) || (kind === 'histogram' && (this.wants(`${name}_bucket`) || this.wants(`${name}_count`) || this.wants(`${name}_sum`))) || (kind === 'summary' && (this.wants(`${name}_count`) || this.wants(`${name}_sum`)));
          const tagged = this.anomalyWanted && (m.type === 'gauge' || m.type === 'sum') && m.dataPoints.some((p) => 'anomaly.score' in p.attributes);
          if (!wanted && !tagged) continue;
          if (tagged) {
            const { plain, scores, flags } = splitTags(m, name);
            if (wanted) metrics.push(plain);
            metrics.push(scores, flags);
          } else metrics.push(copyMetric(m));
        }
        if (metrics.length) scopes.push({ scope: sm.scope, metrics });
      }
      if (scopes.length) out.push({ resource: rm.resource, scopeMetrics: scopes });
    }
    return { resourceMetrics: out };
  }

  /** Samples the agent's own self-metrics the rules read (the agent alerting on itself). */
  appendSelf(registry: MetricRegistry, tMs: number): number {
    if (tMs <= this.lastSelfMs) return 0;
    this.lastSelfMs = tMs;
    let n = 0;
    for (const fam of registry.families()) {
      if (!this.names || !this.names.has(fam.name)) continue;
      this.lastSeen.set(fam.name, tMs);
      for (const s of fam.series) {
        if (this.store.append({ ...s.labels, __name__: fam.name }, tMs, s.value) === 'ok') n++;
      }
    }
    return n;
  }
}

function copyMetric(m: Metric): Metric {
  switch (m.type) {
    case 'sum':
    case 'gauge':
      return { ...m, dataPoints: m.dataPoints.map((p) => ({ ...p })) } as Metric;
    case 'histogram':
      return { ...m, dataPoints: m.dataPoints.map((p) => ({ ...p, bucketCounts: [...p.bucketCounts] })) };
    default:
      return m;
  }
}

/** Names (as translated) of the delta sums in a batch. */
function deltaSeriesNames(md: MetricsData): Set<string> {
  const out = new Set<string>();
  for (const rm of md.resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) {
        if (m.type !== 'sum' || m.aggregationTemporality !== 1) continue;
        out.add(metricName(m.name, m.unit, m.isMonotonic ? 'counter' : 'gauge', { addSuffixes: true }));
      }
  return out;
}

function stripTags(a: Attributes): Attributes {
  const out: Attributes = {};
  for (const k of Object.keys(a)) if (k !== 'anomaly' && k !== 'anomaly.score') out[k] = a[k]!;
  return out;
}

/** A tagged metric without its tags, plus its scores and flags as gauges. */
function splitTags(m: Extract<Metric, { type: 'gauge' | 'sum' }>, name: string): { plain: Metric; scores: Metric; flags: Metric } {
  const plain = { ...m, dataPoints: m.dataPoints.map((p) => ({ ...p, attributes: stripTags(p.attributes) })) } as Metric;
  const scorePts: NumberDataPoint[] = [];
  const flagPts: NumberDataPoint[] = [];
  for (const p of m.dataPoints) {
    const score = p.attributes['anomaly.score'];
    if (typeof score !== 'number') continue;
    const attributes = { ...stripTags(p.attributes), anomaly_metric: name };
    scorePts.push({ attributes, startTimeUnixNano: 0n, timeUnixNano: p.timeUnixNano, value: score });
    flagPts.push({ attributes, startTimeUnixNano: 0n, timeUnixNano: p.timeUnixNano, value: p.attributes['anomaly'] === true ? 1 : 0 });
  }
  return {
    plain,
    scores: { name: ANOMALY_SCORE, type: 'gauge', dataPoints: scorePts },
    flags: { name: ANOMALY_FLAG, type: 'gauge', dataPoints: flagPts },
  };
}
