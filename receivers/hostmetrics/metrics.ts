// Metric definitions and a builder that turns (name, value, attributes) into OTLP metrics,
// honouring the per-metric `enabled` toggles.
import { AggregationTemporality, type Attributes, type Metric, type NumberDataPoint } from '../../src/pdata/types.js';

export interface MetricDef {
  description: string;
  unit: string;
  kind: 'sum' | 'gauge';
  /** Sums only. */
  monotonic?: boolean;
  /** Emitted as int64 (bigint) rather than double. */
  int?: boolean;
  /** On by default (the Collector's default set). */
  enabled: boolean;
}

export type MetricDefs = Record<string, MetricDef>;

export type Toggles = Record<string, { enabled?: boolean }>;

/** Names enabled after applying the user's toggles to the defaults. */
export function enabledSet(defs: MetricDefs, toggles: Toggles | undefined): Set<string> {
  const out = new Set<string>();
  for (const [name, def] of Object.entries(defs)) {
    const t = toggles?.[name]?.enabled;
    if (t ?? def.enabled) out.add(name);
  }
  return out;
}

/** Collects the points of one scrape for one scraper. */
export class MetricBuilder {
  private byName = new Map<string, Metric & { dataPoints: NumberDataPoint[] }>();

  constructor(
    private readonly defs: MetricDefs,
    private readonly enabled: Set<string>,
    readonly now: bigint,
  ) {}

  /** A builder for another resource (per-process metrics), same definitions and time. */
  fork(): MetricBuilder {
    return new MetricBuilder(this.defs, this.enabled, this.now);
  }

  on(name: string): boolean {
    return this.enabled.has(name);
  }

  add(name: string, value: number, attributes: Attributes, startTimeUnixNano: bigint): void {
    if (!this.enabled.has(name)) return;
    const def = this.defs[name];
    if (!def) throw new Error(`hostmetrics: undefined metric ${name}`);
    let m = this.byName.get(name);
    if (!m) {
      m =
        def.kind === 'sum'
          ? {
              type: 'sum',
              name,
              description: def.description,
              unit: def.unit,
              aggregationTemporality: AggregationTemporality.Cumulative,
              isMonotonic: def.monotonic ?? false,
              dataPoints: [],
            }
          : { type: 'gauge', name, description: def.description, unit: def.unit, dataPoints: [] };
      this.byName.set(name, m);
    }
    m.dataPoints.push({
      attributes,
      startTimeUnixNano: def.kind === 'sum' ? startTimeUnixNano : 0n,
      timeUnixNano: this.now,
      value: def.int ? BigInt(Math.round(value)) : value,
    });
  }

  result(): Metric[] {
    return [...this.byName.values()];
  }
}
