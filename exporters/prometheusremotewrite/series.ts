// Series identity at the OTLP level, used to notice series that stop (stale markers).
import type { Metric, MetricsData, ResourceMetrics, ScopeMetrics } from '../../src/pdata/types.js';
import { attrsKey } from '../../src/pdata/identity.js';

export type Point = Extract<Metric, { dataPoints: unknown[] }>['dataPoints'][number];

/** Calls fn for every data point with a stable series key. */
export function forEachPoint(
  md: MetricsData,
  fn: (key: string, rm: ResourceMetrics, sm: ScopeMetrics, m: Metric, p: Point) => void,
): void {
  for (const rm of md.resourceMetrics) {
    const rk = attrsKey(rm.resource.attributes);
    for (const sm of rm.scopeMetrics) {
      const sk = `${rk}\u0002${sm.scope.name}\u0002${sm.scope.version ?? ''}`;
      for (const m of sm.metrics) {
        if (m.type === 'empty') continue;
        const mk = `${sk}\u0002${m.name}\u0002${m.type}\u0002`;
        for (const p of m.dataPoints as Point[]) fn(mk + attrsKey(p.attributes), rm, sm, m, p);
      }
    }
  }
}

/** A metric shell (everything but the points) holding `points`. */
export function withPoints(m: Metric, points: Point[]): Metric {
  if (m.type === 'empty') return m;
  return { ...m, dataPoints: points } as Metric;
}
