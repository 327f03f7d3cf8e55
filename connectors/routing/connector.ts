// Routes resources (or single spans, metrics, data points, log records) to pipelines by OTTL
// conditions, tried in table order. The upstream batch settles when every part of it settled.
import type { Connector, CreateSettings, PipelineRouter } from '../../src/component/component.js';
import { ConsumerError, asConsumerError, mergeRefusals } from '../../src/component/consumer.js';
import type {
  InstrumentationScope,
  LogsData,
  Metric,
  MetricsData,
  ResourceLogs,
  ResourceMetrics,
  ResourceSpans,
  ScopeLogs,
  ScopeMetrics,
  ScopeSpans,
  Signal,
  SignalData,
  TracesData,
} from '../../src/pdata/types.js';
import { countItems } from '../../src/pdata/count.js';
import { appendBatch } from '../../src/pdata/split.js';
import type { Condition, EvalContext } from '../../src/processorhelper/expr-eval.js';
import type { Counter } from '../../src/telemetry/self.js';
import { routeCondition, type Config } from './config.js';

const NO_SCOPE: InstrumentationScope = { name: '' };

interface CompiledRoute {
  context: string;
  condition: Condition;
  pipelines: string[];
}

export class RoutingConnector<S extends Signal> implements Connector<SignalData[S]> {
  // It hands on parts of the batch itself; the graph gives it the capabilities of its pipelines.
  readonly capabilities = { mutatesData: false };
  private readonly routes: CompiledRoute[];
  private readonly unrouted: Counter;
  private readonly failed: Counter;
  private lastErrorLog = 0;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
    private readonly signal: S,
    private readonly next: PipelineRouter<SignalData[S]>,
  ) {
    this.routes = cfg.table.map((r) => ({ context: r.context, condition: routeCondition(r), pipelines: r.pipelines }));
    const l = { signal };
    this.unrouted = set.telemetry.counter('telemd_connector_routing_unrouted_items_total', 'Items no route matched and no default pipeline took (dropped)', l);
    this.failed = set.telemetry.counter('telemd_connector_routing_condition_errors_total', 'Route conditions that failed to evaluate', l);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  /** Whether one unit matches a route; a failing condition does not match (or refuses the batch). */
  private matches(r: CompiledRoute, ctx: EvalContext): boolean {
    try {
      return r.condition(ctx);
    } catch (err) {
      this.failed.add();
      if (this.cfg.error_mode === 'propagate') throw ConsumerError.permanent(`routing: ${(err as Error).message}`, { cause: err });
      if (this.cfg.error_mode === 'ignore' && Date.now() - this.lastErrorLog > 10_000) {
        this.lastErrorLog = Date.now();
        this.set.logger.warn({ err: (err as Error).message }, 'a route condition failed; what it was asked about goes to the default pipelines');
      }
      return false;
    }
  }

  async consume(data: SignalData[S]): Promise<void> {
    const groups = new Map<string, SignalData[S]>();
    const send = (ids: readonly string[], part: SignalData[S]) => {
      if (countItems(this.signal, part) === 0) return;
      const key = [...new Set(ids)].sort().join('\u0000');
      const g = groups.get(key);
      if (g) appendBatch(this.signal, g, part);
      else groups.set(key, part);
    };
    let rest = data;
    if (this.cfg.match_once) {
      // As the Collector: each route takes what it matches out of what is left.
      for (const r of this.routes) {
        const [hit, left] = partition(this.signal, rest, r.context, (ctx) => this.matches(r, ctx));
        send(r.pipelines, hit);
        rest = left;
      }
    } else {
      // Older Collectors: what matches several routes goes to each (each its own copy).
      const matched = new Set<object>();
      let first = true;
      for (const r of this.routes) {
        const [hit] = partition(this.signal, data, r.context, (ctx) => {
          const m = this.matches(r, ctx);
          if (m) matched.add(unitOf(r.context, ctx));
          return m;
        });
        if (countItems(this.signal, hit) === 0) continue;
        send(r.pipelines, first ? hit : structuredClone(hit));
        first = false;
      }
      rest = partition(this.signal, data, finest(this.signal), (ctx) => !isMatched(matched, ctx))[0];
      if (!first) rest = structuredClone(rest);
    }
    if (this.cfg.default_pipelines.length > 0) send(this.cfg.default_pipelines, rest);
    else this.unrouted.add(countItems(this.signal, rest));
    const results = await Promise.allSettled([...groups].map(([key, part]) => this.next.consumer(key.split('\u0000')).consume(part)));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [asConsumerError(r.reason)] : []));
    if (errors.length > 0) throw mergeRefusals(errors);
  }
}

type Pred = (ctx: EvalContext) => boolean;

function finest(signal: Signal): string {
  return signal === 'logs' ? 'log' : signal === 'traces' ? 'span' : 'datapoint';
}

/** The object a match at `context` is about. */
function unitOf(context: string, ctx: EvalContext): object {
  if (context === 'resource') return ctx.resource;
  return ctx.point ?? ctx.log ?? ctx.span ?? ctx.metric ?? ctx.resource;
}

function isMatched(set: Set<object>, ctx: EvalContext): boolean {
  return set.has(ctx.resource) || (ctx.metric !== undefined && set.has(ctx.metric)) || [ctx.point, ctx.log, ctx.span].some((u) => u !== undefined && set.has(u));
}

/**
 * Splits a batch into what `pred` matches and the rest, at the level of `context` (whole
 * resources, or single items). Both get fresh containers; a resource or scope that ends up on
 * both sides is copied for the matched side, so the two can go to pipelines that change them.
 */
function partition<S extends Signal>(signal: S, data: SignalData[S], context: string, pred: Pred): [SignalData[S], SignalData[S]] {
  if (signal === 'logs') return partitionLogs(data as LogsData, context, pred) as [SignalData[S], SignalData[S]];
  if (signal === 'traces') return partitionTraces(data as TracesData, context, pred) as [SignalData[S], SignalData[S]];
  return partitionMetrics(data as MetricsData, context, pred) as [SignalData[S], SignalData[S]];
}

function split<T>(items: T[], pred: (x: T) => boolean): [T[], T[]] {
  const a: T[] = [];
  const b: T[] = [];
  for (const x of items) (pred(x) ? a : b).push(x);
  return [a, b];
}

function partitionLogs(d: LogsData, context: string, pred: Pred): [LogsData, LogsData] {
  if (context === 'resource') {
    const [a, b] = split(d.resourceLogs, (rl) => pred({ resource: rl.resource, scope: NO_SCOPE }));
    return [{ resourceLogs: a }, { resourceLogs: b }];
  }
  const hit: ResourceLogs[] = [];
  const rest: ResourceLogs[] = [];
  for (const rl of d.resourceLogs) {
    const hs: ScopeLogs[] = [];
    const rs: ScopeLogs[] = [];
    for (const sl of rl.scopeLogs) {
      const [a, b] = split(sl.logRecords, (log) => pred({ resource: rl.resource, scope: sl.scope, log }));
      if (a.length > 0) hs.push({ ...sl, scope: b.length > 0 ? structuredClone(sl.scope) : sl.scope, logRecords: a });
      if (b.length > 0) rs.push({ ...sl, logRecords: b });
    }
    if (hs.length > 0) hit.push({ ...rl, resource: rs.length > 0 ? structuredClone(rl.resource) : rl.resource, scopeLogs: hs });
    if (rs.length > 0) rest.push({ ...rl, scopeLogs: rs });
  }
  return [{ resourceLogs: hit }, { resourceLogs: rest }];
}

function partitionTraces(d: TracesData, context: string, pred: Pred): [TracesData, TracesData] {
  if (context === 'resource') {
    const [a, b] = split(d.resourceSpans, (rs) => pred({ resource: rs.resource, scope: NO_SCOPE }));
    return [{ resourceSpans: a }, { resourceSpans: b }];
  }
  const hit: ResourceSpans[] = [];
  const rest: ResourceSpans[] = [];
  for (const rsp of d.resourceSpans) {
    const hs: ScopeSpans[] = [];
    const rs: ScopeSpans[] = [];
    for (const ss of rsp.scopeSpans) {
      const [a, b] = split(ss.spans, (span) => pred({ resource: rsp.resource, scope: ss.scope, span }));
      if (a.length > 0) hs.push({ ...ss, scope: b.length > 0 ? structuredClone(ss.scope) : ss.scope, spans: a });
      if (b.length > 0) rs.push({ ...ss, spans: b });
    }
    if (hs.length > 0) hit.push({ ...rsp, resource: rs.length > 0 ? structuredClone(rsp.resource) : rsp.resource, scopeSpans: hs });
    if (rs.length > 0) rest.push({ ...rsp, scopeSpans: rs });
  }
  return [{ resourceSpans: hit }, { resourceSpans: rest }];
}

function partitionMetrics(d: MetricsData, context: string, pred: Pred): [MetricsData, MetricsData] {
  if (context === 'resource') {
    const [a, b] = split(d.resourceMetrics, (rm) => pred({ resource: rm.resource, scope: NO_SCOPE }));
    return [{ resourceMetrics: a }, { resourceMetrics: b }];
  }
  const hit: ResourceMetrics[] = [];
  const rest: ResourceMetrics[] = [];
  for (const rm of d.resourceMetrics) {
    const hs: ScopeMetrics[] = [];
    const rs: ScopeMetrics[] = [];
    for (const sm of rm.scopeMetrics) {
      const a: Metric[] = [];
      const b: Metric[] = [];
      for (const metric of sm.metrics) {
        if (context === 'metric' || metric.type === 'empty') {
          (pred({ resource: rm.resource, scope: sm.scope, metric }) ? a : b).push(metric);
          continue;
        }
        // Data points of one metric may go both ways: the metric is split.
        const points = metric.dataPoints as { attributes: object }[];
        const [pa, pb] = split(points, (point) => pred({ resource: rm.resource, scope: sm.scope, metric, point: point as EvalContext['point'] }));
        const { dataPoints: _all, ...shell } = metric;
        if (pa.length > 0) a.push({ ...(pb.length > 0 ? structuredClone(shell) : shell), dataPoints: pa } as Metric);
        if (pb.length > 0) b.push({ ...shell, dataPoints: pb } as Metric);
      }
      if (a.length > 0) hs.push({ ...sm, scope: b.length > 0 ? structuredClone(sm.scope) : sm.scope, metrics: a });
      if (b.length > 0) rs.push({ ...sm, metrics: b });
    }
    if (hs.length > 0) hit.push({ ...rm, resource: rs.length > 0 ? structuredClone(rm.resource) : rm.resource, scopeMetrics: hs });
    if (rs.length > 0) rest.push({ ...rm, scopeMetrics: rs });
  }
  return [{ resourceMetrics: hit }, { resourceMetrics: rest }];
}
