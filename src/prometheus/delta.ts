// Delta -> cumulative for sums and histograms, so Prometheus (cumulative only) sees counters
// that only go up. State is per series and expires when a series goes quiet.
import type { Attributes, HistogramDataPoint, MetricsData, NumberDataPoint } from '../pdata/types.js';
import { attrsKey } from '../pdata/identity.js';

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

export type DeltaMode = 'accumulate' | 'drop';

/** Delta points of one batch rewritten and added; committed or rolled back (see DeltaAccumulator.stage). */
export interface DeltaStage {
  dropped: number;
  commit(): void;
  /** Restores the sums kept before this batch. */
  rollback(): void;
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
   * Rewrites delta points in place and adds them to the kept sums, remembering the previous
   * sums so that `rollback()` undoes the batch: a batch that is refused and sent again must not
   * be added twice. The caller commits or rolls back one stage before starting the next.
   */
  stage(md: MetricsData, nowMs = Date.now()): DeltaStage {
    let dropped = 0;
    const noop = { dropped: 0, commit: () => this.expire(nowMs), rollback: () => {} };
    if (!needsRewrite(md)) return noop;
    // Undo log: the key and its state before this batch (undefined = new series).
    const sumKeys: string[] = [];
    const sumPrev: (number | bigint | undefined)[] = [];
    const sumSeen: number[] = [];
    const histKeys: string[] = [];
    const histPrev: (HistState | undefined)[] = [];
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
              const st = this.sums.get(k);
              sumKeys.push(k);
              sumPrev.push(st?.value);
              sumSeen.push(st?.lastSeenMs ?? 0);
              this.sum(k, st, p, nowMs);
            }
          else
            for (const p of m.dataPoints) {
              const k = mk + attrsKey(p.attributes);
              const st = this.hists.get(k);
              histKeys.push(k);
              histPrev.push(st && { ...st, buckets: [...st.buckets] });
              this.hist(k, st, p, nowMs);
            }
          m.aggregationTemporality = 2;
          return true;
        });
      }
    }
    return {
      dropped,
      commit: () => this.expire(nowMs),
      rollback: () => {
        // Backwards, so a series with two points in the batch ends at its first previous state.
        for (let i = sumKeys.length - 1; i >= 0; i--) {
          const k = sumKeys[i]!;
          const v = sumPrev[i];
          const st = this.sums.get(k);
          if (v === undefined) this.sums.delete(k);
          else if (st) {
            st.value = v;
            st.lastSeenMs = sumSeen[i]!;
          }
        }
        for (let i = histKeys.length - 1; i >= 0; i--) {
          const prev = histPrev[i];
          if (prev === undefined) this.hists.delete(histKeys[i]!);
          else this.hists.set(histKeys[i]!, prev);
        }
      },
    };
  }

  private sum(key: string, st: SumState | undefined, p: NumberDataPoint, now: number): void {
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

  private hist(key: string, st: HistState | undefined, p: HistogramDataPoint, now: number): void {
    const bounds = p.explicitBounds.join(',');
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

