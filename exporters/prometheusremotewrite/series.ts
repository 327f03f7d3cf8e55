// Series identity at the OTLP level, used to shard batches (so every sample of a series goes
// through the same ordered queue) and to notice series that stop.
import type { Metric, MetricsData, ResourceMetrics, ScopeMetrics } from '../../src/pdata/types.js';
import { attrsKey } from '../../src/prometheus/delta.js';

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

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A metric shell (everything but the points) holding `points`. */
export function withPoints(m: Metric, points: Point[]): Metric {
  if (m.type === 'empty') return m;
  return { ...m, dataPoints: points } as Metric;
}

/** Splits a batch into `n` batches by series hash; resource/scope/metric shells are shared. */
export function shardBySeries(md: MetricsData, n: number): MetricsData[] {
  if (n <= 1) return [md];
  const out: MetricsData[] = Array.from({ length: n }, () => ({ resourceMetrics: [] }));
  // Group per (rm, sm, m) so each shard gets one shell per metric.
  const shells = new Map<Metric, { rm: ResourceMetrics; sm: ScopeMetrics; per: Point[][] }>();
  forEachPoint(md, (key, rm, sm, m, p) => {
    let e = shells.get(m);
    if (!e) shells.set(m, (e = { rm, sm, per: Array.from({ length: n }, () => []) }));
    e.per[fnv1a(key) % n]!.push(p);
  });
  const rmMaps = out.map(() => new Map<ResourceMetrics, { rm: ResourceMetrics; sms: Map<ScopeMetrics, ScopeMetrics> }>());
  for (const [m, e] of shells) {
    e.per.forEach((points, i) => {
      if (points.length === 0) return;
      const rms = rmMaps[i]!;
      let r = rms.get(e.rm);
      if (!r) {
        r = { rm: { resource: e.rm.resource, schemaUrl: e.rm.schemaUrl, scopeMetrics: [] }, sms: new Map() };
        rms.set(e.rm, r);
        out[i]!.resourceMetrics.push(r.rm);
      }
      let sm = r.sms.get(e.sm);
      if (!sm) {
        sm = { scope: e.sm.scope, schemaUrl: e.sm.schemaUrl, metrics: [] };
        r.sms.set(e.sm, sm);
        r.rm.scopeMetrics.push(sm);
      }
      sm.metrics.push(withPoints(m, points));
    });
  }
  return out;
}
