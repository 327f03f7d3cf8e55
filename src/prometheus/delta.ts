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

/** Delta points of one batch rewritten, their new sums not yet kept (see DeltaAccumulator.stage). */
export interface DeltaStage {
  dropped: number;
  commit(): void;
}

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

  /** Rewrites delta points in place and keeps the sums; returns how many points were dropped (mode `drop`). */
  apply(md: MetricsData, nowMs = Date.now()): number {
    const tx = this.stage(md, nowMs);
    tx.commit();
    return tx.dropped;
  }

  /**
   * Rewrites delta points in place from the kept sums, but keeps the new sums only on
   * `commit()`: a batch that is refused and sent again must not be added twice. The caller
   * commits (or drops) one staged batch before staging the next one that shares series.
   */
  stage(md: MetricsData, nowMs = Date.now()): DeltaStage {
    let dropped = 0;
    if (!needsRewrite(md)) return { dropped: 0, commit: () => this.expire(nowMs) };
    const sums = new Map<string, SumState>();
    const hists = new Map<string, HistState>();
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
          if (m.type === 'sum')
            for (const p of m.dataPoints) {
              const k = mk + attrsKey(p.attributes);
              sums.set(k, sumPoint(sums.get(k) ?? this.sums.get(k), p, nowMs));
            }
          else
            for (const p of m.dataPoints) {
              const k = mk + attrsKey(p.attributes);
              hists.set(k, histPoint(hists.get(k) ?? this.hists.get(k), p, nowMs));
            }
          m.aggregationTemporality = 2;
          return true;
        });
      }
    }
    return {
      dropped,
      commit: () => {
        for (const [k, v] of sums) this.sums.set(k, v);
        for (const [k, v] of hists) this.hists.set(k, v);
        this.expire(nowMs);
      },
    };
  }

  private expire(now: number): void {
    for (const [k, s] of this.sums) if (now - s.lastSeenMs > this.expireMs) this.sums.delete(k);
    for (const [k, s] of this.hists) if (now - s.lastSeenMs > this.expireMs) this.hists.delete(k);
  }
}

/** The point's cumulative value from the previous state; returns the new state (the old one is not changed). */
function sumPoint(st: SumState | undefined, p: NumberDataPoint, now: number): SumState {
  if (!st) {
    p.startTimeUnixNano = p.startTimeUnixNano || p.timeUnixNano;
    return { start: p.startTimeUnixNano, value: p.value, lastSeenMs: now };
  }
  const value =
    typeof st.value === 'bigint' && typeof p.value === 'bigint' ? st.value + p.value : Number(st.value) + Number(p.value);
  p.value = value;
  p.startTimeUnixNano = st.start;
  return { start: st.start, value, lastSeenMs: now };
}

function histPoint(st: HistState | undefined, p: HistogramDataPoint, now: number): HistState {
  const bounds = p.explicitBounds.join(',');
  if (!st || st.bounds !== bounds) {
    // New series, or its buckets changed: restart accumulation from this point.
    return { start: p.startTimeUnixNano || p.timeUnixNano, count: p.count, sum: p.sum ?? 0, buckets: [...p.bucketCounts], bounds, lastSeenMs: now };
  }
  const buckets = [...st.buckets];
  for (let i = 0; i < p.bucketCounts.length; i++) buckets[i] = (buckets[i] ?? 0) + p.bucketCounts[i]!;
  const next: HistState = { start: st.start, count: st.count + p.count, sum: st.sum + (p.sum ?? 0), buckets, bounds, lastSeenMs: now };
  p.count = next.count;
  p.sum = next.sum;
  p.bucketCounts = [...buckets];
  p.startTimeUnixNano = st.start;
  return next;
}
