// Notices series that stop arriving (a process exits, a filesystem is unmounted) and produces
// one "no recorded value" point for each, which translation turns into the staleness NaN.
import type { MetricsData, Metric, Resource, InstrumentationScope } from '../../src/pdata/types.js';
import { FLAG_NO_RECORDED_VALUE } from '../../src/prometheus/translate.js';
import { forEachPoint, withPoints, type Point } from './series.js';

interface Tracked {
  resource: Resource;
  scope: InstrumentationScope;
  metric: Metric;
  point: Point;
  lastSeenMs: number;
  intervalMs: number;
}

export class StaleTracker {
  private series = new Map<string, Tracked>();

  /**
   * @param fallbackMs silence after which a series seen only once is stale
   * @param minMs floor, so two quick deliveries (a flush on shutdown) do not fake a short interval
   */
  constructor(
    private fallbackMs: number,
    private minMs = 0,
  ) {}

  get size(): number {
    return this.series.size;
  }

  observe(md: MetricsData, nowMs = Date.now()): void {
    forEachPoint(md, (key, rm, sm, m, p) => {
      if (((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0) {
        this.series.delete(key);
        return;
      }
      const t = this.series.get(key);
      if (t) {
        const gap = nowMs - t.lastSeenMs;
        // Several points of one series in one batch do not tell the interval.
        if (gap > 0) t.intervalMs = gap;
        t.lastSeenMs = nowMs;
        t.point = p;
        t.metric = m;
      } else this.series.set(key, { resource: rm.resource, scope: sm.scope, metric: m, point: p, lastSeenMs: nowMs, intervalMs: 0 });
    });
  }

  /** Stale points for series silent for twice their interval (at least minMs); each is reported once. */
  collect(nowMs = Date.now()): MetricsData | undefined {
    const out: MetricsData = { resourceMetrics: [] };
    for (const [key, t] of this.series) {
      const limit = t.intervalMs > 0 ? Math.max(2 * t.intervalMs, this.minMs) : this.fallbackMs;
      if (nowMs - t.lastSeenMs <= limit) continue;
      this.series.delete(key);
      // Stamped in the series' own time (where its next sample was due), not by our clock: a
      // producer that lags would otherwise send its late samples behind the marker (out of order).
      const step = BigInt(Math.max(1, t.intervalMs)) * 1_000_000n;
      const p = { ...t.point, timeUnixNano: t.point.timeUnixNano + step, flags: FLAG_NO_RECORDED_VALUE } as Point;
      out.resourceMetrics.push({ resource: t.resource, scopeMetrics: [{ scope: t.scope, metrics: [withPoints(t.metric, [p])] }] });
    }
    return out.resourceMetrics.length ? out : undefined;
  }
}
