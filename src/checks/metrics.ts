// Metric definitions of the check receivers with the Collector's `metrics: {<name>: {enabled}}`
// switches, and a builder that groups the points of several probes by resource and metric.
import { ParseContext, Schema, type Path } from '../config/schema.js';
import { didYouMean } from '../config/suggest.js';
import { AggregationTemporality, type Attributes, type Metric, type MetricsData, type NumberDataPoint, type ResourceMetrics } from '../pdata/types.js';
import { hostResource } from '../resource/host.js';

export interface MetricDef {
  description: string;
  unit: string;
  kind: 'gauge' | 'sum';
  /** Sums only. */
  monotonic?: boolean;
  /** Integer points (the Collector's value_type: int); else doubles. */
  int?: boolean;
  /** On unless the config turns it off. */
  enabled: boolean;
}

export type MetricToggles = Record<string, { enabled?: boolean }>;

/** `metrics:` with every unknown metric name refused at its own position, with a suggestion. */
class TogglesSchema extends Schema<MetricToggles> {
  constructor(private readonly defs: Record<string, MetricDef>) {
    super();
    this.default(() => ({}));
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): MetricToggles {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      ctx.error(path, 'expected a map of metric names to {enabled: true|false}');
      return {};
    }
    const out: MetricToggles = {};
    for (const [name, x] of Object.entries(v as Record<string, unknown>)) {
      if (!(name in this.defs)) {
        ctx.error([...path, name], `unknown metric "${name}"${didYouMean(name, Object.keys(this.defs))}`, true);
        continue;
      }
      if (x === null || x === undefined) {
        out[name] = {};
        continue;
      }
      if (typeof x !== 'object' || Array.isArray(x)) {
        ctx.error([...path, name], 'expected {enabled: true|false}');
        continue;
      }
      const { enabled, ...rest } = x as Record<string, unknown>;
      for (const k of Object.keys(rest)) ctx.error([...path, name, k], `unknown key "${k}" (only "enabled")`, true);
      if (enabled !== undefined && typeof enabled !== 'boolean') ctx.error([...path, name, 'enabled'], 'expected true or false');
      out[name] = { enabled: typeof enabled === 'boolean' ? enabled : undefined };
    }
    return out;
  }
}

export function metricTogglesSchema(defs: Record<string, MetricDef>): Schema<MetricToggles> {
  return new TogglesSchema(defs).describe(`per-metric switches \`<metric>: {enabled: bool}\`: ${Object.keys(defs).join(', ')}`);
}

export function enabledMetrics(defs: Record<string, MetricDef>, toggles: MetricToggles): Set<string> {
  return new Set(Object.entries(defs).filter(([k, d]) => toggles[k]?.enabled ?? d.enabled).map(([k]) => k));
}

/** Points of one or more probes, grouped by resource (attribute set) and metric name. */
export class PointsBuilder {
  private readonly resources = new Map<string, { attrs: Attributes; metrics: Map<string, Metric & { dataPoints: NumberDataPoint[] }> }>();
  private count = 0;

  constructor(
    private readonly defs: Record<string, MetricDef>,
    private readonly enabled: ReadonlySet<string>,
  ) {}

  on(name: string): boolean {
    return this.enabled.has(name);
  }

  get points(): number {
    return this.count;
  }

  /** `stale`: a point with OTLP's no-recorded-value flag, ending a series (a state left). */
  add(name: string, value: number, attributes: Attributes, timeNs: bigint, startNs: bigint, resource: Attributes = {}, stale = false): void {
    if (!this.enabled.has(name)) return;
    const d = this.defs[name];
    if (!d) throw new Error(`no definition for metric ${name}`);
    const rkey = resourceKey(resource);
    let r = this.resources.get(rkey);
    if (!r) this.resources.set(rkey, (r = { attrs: resource, metrics: new Map() }));
    let m = r.metrics.get(name);
    if (!m) {
      m =
        d.kind === 'sum'
          ? { type: 'sum', name, description: d.description, unit: d.unit, aggregationTemporality: AggregationTemporality.Cumulative, isMonotonic: d.monotonic ?? false, dataPoints: [] }
          : { type: 'gauge', name, description: d.description, unit: d.unit, dataPoints: [] };
      r.metrics.set(name, m);
    }
    m.dataPoints.push({
      attributes,
      startTimeUnixNano: d.kind === 'sum' ? startNs : 0n,
      timeUnixNano: timeNs,
      value: d.int ? BigInt(Math.round(value)) : value,
      ...(stale ? { flags: 1 } : {}),
    });
    this.count++;
  }

  /** The points so far as one MetricsData under `scope`; the builder is empty afterwards. */
  take(scope: { name: string; version?: string; attributes?: Attributes }): MetricsData {
    const resourceMetrics: ResourceMetrics[] = [];
    for (const r of this.resources.values())
      // The check runs on this host: host.name/host.id first, the target's own attributes on top.
      resourceMetrics.push({ resource: { attributes: hostResource(r.attrs) }, scopeMetrics: [{ scope, metrics: [...r.metrics.values()] }] });
    this.resources.clear();
    this.count = 0;
    return { resourceMetrics };
  }
}

function resourceKey(a: Attributes): string {
  const keys = Object.keys(a);
  if (keys.length === 0) return '';
  return JSON.stringify(keys.sort().map((k) => [k, String(a[k])]));
}
