// Delta -> cumulative for sums and histograms, so Prometheus (cumulative only) sees counters
// that only go up. State is per series and expires when a series goes quiet.
import type { Attributes, HistogramDataPoint, MetricsData, NumberDataPoint } from '../pdata/types.js';
import { attrString } from './translate.js';

interface SumState {
  start: bigint;
  value: number | bigint;
  lastSeenMs: number;
}
interface HistState {
  start: bigint;
  count: number;
  sum: number;
  buckets: number[];
  bounds: string;
  lastSeenMs: number;
}

export function attrsKey(a: Attributes | undefined): string {
  if (!a) return '';
  return Object.keys(a)
    .sort()
    .map((k) => `${k}=${attrString(a[k]!)}`)
    .join('\u0001');
}

export type DeltaMode = 'accumulate' | 'drop';

/**
 * True when `md` holds delta sums/histograms (or, with `alsoExpHist`, exponential histograms),
 * i.e. when an exporter must rewrite it. Exporters of one pipeline share the batch, so they
 * copy before rewriting.
 */
export function needsRewrite(md: MetricsData, alsoExpHist = false): boolean {
  for (const rm of md.resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) {
        if ((m.type === 'sum' || m.type === 'histogram') && m.aggregationTemporality === 1) return true;
        if (alsoExpHist && m.type === 'exponentialHistogram') return true;
      }
  return false;
}

export class DeltaAccumulator {
  private sums = new Map<string, SumState>();
  private hists = new Map<string, HistState>();

  constructor(
    private mode: DeltaMode,
    private expireMs = 5 * 60_000,
  ) {}

  /** Rewrites delta points in place; returns how many points were dropped (mode `drop`). */
  apply(md: MetricsData, nowMs = Date.now()): number {
    let dropped = 0;
    if (!needsRewrite(md)) {
      this.expire(nowMs);
      return 0;
    }
    for (const rm of md.resourceMetrics) {
      const rk = attrsKey(rm.resource.attributes);
      for (const sm of rm.scopeMetrics) {
        const sk = `${rk}\u0002${sm.scope.name}\u0002${sm.scope.version ?? ''}`;
        sm.metrics = sm.metrics.filter((m) => {
          if (m.type !== 'sum' && m.type !== 'histogram') return true;
          if (m.aggregationTemporality !== 1) return true;
          if (this.mode === 'drop') {
            dropped += m.dataPoints.length;
            return false;
          }
          const mk = `${sk}\u0002${m.name}\u0002`;
          if (m.type === 'sum') for (const p of m.dataPoints) this.sum(mk + attrsKey(p.attributes), p, nowMs);
          else for (const p of m.dataPoints) this.hist(mk + attrsKey(p.attributes), p, nowMs);
          m.aggregationTemporality = 2;
          return true;
        });
      }
    }
    this.expire(nowMs);
    return dropped;
  }

  private sum(key: string, p: NumberDataPoint, now: number): void {
    const st = this.sums.get(key);
    if (!st) {
      this.sums.set(key, { start: p.startTimeUnixNano || p.timeUnixNano, value: p.value, lastSeenMs: now });
      p.startTimeUnixNano = p.startTimeUnixNano || p.timeUnixNano;
      return;
    }
    st.value =
      typeof st.value === 'bigint' && typeof p.value === 'bigint' ? st.value + p.value : Number(st.value) + Number(p.value);
    st.lastSeenMs = now;
    p.value = st.value;
    p.startTimeUnixNano = st.start;
  }

  private hist(key: string, p: HistogramDataPoint, now: number): void {
    const bounds = p.explicitBounds.join(',');
    const st = this.hists.get(key);
    if (!st || st.bounds !== bounds) {
      // New series, or its buckets changed: restart accumulation from this point.
      this.hists.set(key, {
        start: p.startTimeUnixNano || p.timeUnixNano, count: p.count, sum: p.sum ?? 0,
        buckets: [...p.bucketCounts], bounds, lastSeenMs: now,
      });
      return;
    }
    st.count += p.count;
    st.sum += p.sum ?? 0;
    for (let i = 0; i < p.bucketCounts.length; i++) st.buckets[i] = (st.buckets[i] ?? 0) + p.bucketCounts[i]!;
    st.lastSeenMs = now;
    p.count = st.count;
    p.sum = st.sum;
    p.bucketCounts = [...st.buckets];
    p.startTimeUnixNano = st.start;
  }

  private expire(now: number): void {
    for (const [k, s] of this.sums) if (now - s.lastSeenMs > this.expireMs) this.sums.delete(k);
    for (const [k, s] of this.hists) if (now - s.lastSeenMs > this.expireMs) this.hists.delete(k);
  }
}
