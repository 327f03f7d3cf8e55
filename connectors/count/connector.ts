// Counts items (optionally matching OTTL conditions, grouped by attribute values) per resource
// and hands the counts, delta sums, to the metrics pipelines it feeds. The counted batch is only
// read; the upstream acknowledgement waits for the counts' acknowledgement.
import type { Connector, CreateSettings, PipelineRouter } from '../../src/component/component.js';
import { ConsumerError } from '../../src/component/consumer.js';
import { AggregationTemporality, type AnyValue, type Attributes, type LogsData, type Metric, type MetricsData, type ResourceMetrics, type Signal, type SignalData, type TracesData } from '../../src/pdata/types.js';
import { nowNanos } from '../../src/pdata/time.js';
import { compileAny, type Condition, type EvalContext } from '../../src/processorhelper/expr-eval.js';
import { CONTEXT, definitions, type Config, type Section } from './config.js';

const SCOPE = 'telemd/count';

interface Def {
  name: string;
  description: string;
  condition?: Condition;
  attributes: { key: string; default?: AnyValue }[];
}

function defs(cfg: Config, sec: Section): Def[] {
  return Object.entries(definitions(cfg, sec)).map(([name, info]) => ({
    name,
    description: info.description,
    condition: compileAny(CONTEXT[sec], info.conditions),
    attributes: info.attributes.map((a) => ({ key: a.key, default: (a.default_value ?? undefined) as AnyValue | undefined })),
  }));
}

/** Counts of one resource: per metric name, per distinct attribute set. */
class Tally {
  private counts = new Map<string, Map<string, { attrs: Attributes; n: number }>>();

  add(defsList: Def[], ctx: EvalContext, own: Attributes): void {
    for (const d of defsList) {
      const attrs: Attributes = {};
      let complete = true;
      for (const a of d.attributes) {
        const v = own[a.key] ?? ctx.scope.attributes?.[a.key] ?? ctx.resource.attributes[a.key] ?? a.default;
        if (v === undefined || v === null) {
          complete = false;
          break;
        }
        attrs[a.key] = typeof v === 'object' ? structuredClone(v) : v;
      }
      if (!complete) continue; // an item without the attributes it is counted by is not counted
      if (d.condition && !d.condition(ctx)) continue;
      const key = JSON.stringify(Object.entries(attrs), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
      const byAttrs = this.counts.get(d.name) ?? this.counts.set(d.name, new Map()).get(d.name)!;
      const c = byAttrs.get(key);
      if (c) c.n++;
      else byAttrs.set(key, { attrs, n: 1 });
    }
  }

  metrics(list: Def[], timeNs: bigint): Metric[] {
    const out: Metric[] = [];
    for (const d of list) {
      const byAttrs = this.counts.get(d.name);
      if (!byAttrs) continue;
      out.push({
        name: d.name,
        description: d.description,
        type: 'sum',
        // Delta counts are never negative: summed downstream they only grow.
        isMonotonic: true,
        aggregationTemporality: AggregationTemporality.Delta,
        dataPoints: [...byAttrs.values()].map((c) => ({ attributes: c.attrs, startTimeUnixNano: 0n, timeUnixNano: timeNs, value: BigInt(c.n) })),
      });
    }
    return out;
  }
}

export class CountConnector<S extends Signal> implements Connector<SignalData[S]> {
  readonly capabilities = { mutatesData: false };
  private readonly sections: Record<Section, Def[]>;

  constructor(
    private readonly set: CreateSettings,
    cfg: Config,
    private readonly signal: S,
    private readonly next: PipelineRouter<MetricsData>,
  ) {
    this.sections = {
      spans: defs(cfg, 'spans'),
      spanevents: defs(cfg, 'spanevents'),
      metrics: defs(cfg, 'metrics'),
      datapoints: defs(cfg, 'datapoints'),
      logs: defs(cfg, 'logs'),
    };
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(data: SignalData[S]): Promise<void> {
    let out: MetricsData;
    try {
      out = this.count(data);
    } catch (err) {
      // A condition that cannot be evaluated fails the same way on a retry.
      const msg = err instanceof Error ? err.message : String(err);
      this.set.logger.error({ err: msg, signal: this.signal }, 'count connector could not evaluate a condition; batch refused');
      throw ConsumerError.permanent(`count: ${msg}`, { cause: err });
    }
    if (out.resourceMetrics.length === 0) return Promise.resolve();
    return this.next.consume(out);
  }

  private count(data: SignalData[S]): MetricsData {
    const now = nowNanos();
    const resourceMetrics: ResourceMetrics[] = [];
    // One tally per section: a name used in two sections stays two metrics.
    const emit = (resourceAttrs: Attributes, tallies: [Tally, Section][]) => {
      const metrics = tallies.flatMap(([t, sec]) => t.metrics(this.sections[sec], now));
      if (metrics.length === 0) return;
      resourceMetrics.push({ resource: { attributes: structuredClone(resourceAttrs) }, scopeMetrics: [{ scope: { name: SCOPE }, metrics }] });
    };
    if (this.signal === 'traces') {
      for (const rs of (data as TracesData).resourceSpans) {
        const [spans, events] = [new Tally(), new Tally()];
        for (const ss of rs.scopeSpans)
          for (const span of ss.spans) {
            spans.add(this.sections.spans, { resource: rs.resource, scope: ss.scope, span }, span.attributes);
            for (const event of span.events) events.add(this.sections.spanevents, { resource: rs.resource, scope: ss.scope, span, event }, event.attributes);
          }
        emit(rs.resource.attributes, [[spans, 'spans'], [events, 'spanevents']]);
      }
    } else if (this.signal === 'logs') {
      for (const rl of (data as LogsData).resourceLogs) {
        const t = new Tally();
        for (const sl of rl.scopeLogs) for (const log of sl.logRecords) t.add(this.sections.logs, { resource: rl.resource, scope: sl.scope, log }, log.attributes);
        emit(rl.resource.attributes, [[t, 'logs']]);
      }
    } else {
      for (const rm of (data as MetricsData).resourceMetrics) {
        const [metrics, points] = [new Tally(), new Tally()];
        for (const sm of rm.scopeMetrics)
          for (const metric of sm.metrics) {
            metrics.add(this.sections.metrics, { resource: rm.resource, scope: sm.scope, metric }, {});
            if (metric.type === 'empty') continue;
            for (const point of metric.dataPoints) points.add(this.sections.datapoints, { resource: rm.resource, scope: sm.scope, metric, point }, point.attributes);
          }
        emit(rm.resource.attributes, [[metrics, 'metrics'], [points, 'datapoints']]);
      }
    }
    return { resourceMetrics };
  }
}
