// target_info for remote-write. It is built before sharding, as an ordinary OTLP gauge, so that
// it is one series in one ordered shard; and its timestamp only moves forward per resource. If
// every shard wrote its own target_info (or a later batch carried an older one), Prometheus
// would refuse the out-of-order sample with a 400 and drop the whole request with it.
import type { Attributes, MetricsData, ResourceMetrics } from '../../src/pdata/types.js';
import { attrsKey } from '../../src/pdata/identity.js';
import { FLAG_NO_RECORDED_VALUE } from '../../src/prometheus/translate.js';

const SERVICE_KEYS = new Set(['service.name', 'service.namespace', 'service.instance.id']);

export class TargetInfo {
  private last = new Map<string, bigint>();

  /** A shallow copy of `md` with a target_info gauge added per resource that needs one. */
  add(md: MetricsData): MetricsData {
    let changed = false;
    const out = md.resourceMetrics.map((rm): ResourceMetrics => {
      const attrs: Attributes = {};
      let n = 0;
      for (const [k, v] of Object.entries(rm.resource.attributes))
        if (!SERVICE_KEYS.has(k)) {
          attrs[k] = v;
          n++;
        }
      if (n === 0) return rm;
      let latest = 0n;
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics)
          if (m.type !== 'empty')
            for (const p of m.dataPoints)
              if (((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) === 0 && p.timeUnixNano > latest) latest = p.timeUnixNano;
      // Whole milliseconds: that is what goes on the wire.
      latest = (latest / 1_000_000n) * 1_000_000n;
      const key = attrsKey(rm.resource.attributes);
      if (latest === 0n || latest <= (this.last.get(key) ?? 0n)) return rm;
      if (this.last.size > 10_000) this.last.clear();
      this.last.set(key, latest);
      changed = true;
      return {
        ...rm,
        scopeMetrics: [
          ...rm.scopeMetrics,
          { scope: { name: '' }, metrics: [{ name: 'target_info', description: 'Target metadata', type: 'gauge', dataPoints: [{ attributes: attrs, startTimeUnixNano: 0n, timeUnixNano: latest, value: 1 }] }] },
        ],
      };
    });
    return changed ? { resourceMetrics: out } : md;
  }
}
