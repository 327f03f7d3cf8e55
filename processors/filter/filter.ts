import type { CreateSettings, Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { LogsData, MetricsData, Signal, SignalData, TracesData } from '../../src/pdata/types.js';
import { compileCondition, type Condition, type ContextKind, type EvalContext } from '../../src/processorhelper/expr-eval.js';
import { retainDataPoints, retainLogs, retainMetrics, retainSpans } from '../../src/processorhelper/iterate.js';
import { compileMatch, type MatchConfig } from '../../src/processorhelper/match.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import type { Config } from './config.js';

/** Keep-predicate from legacy include/exclude plus drop conditions. */
function keeper(
  kind: ContextKind,
  include: MatchConfig | undefined,
  exclude: MatchConfig | undefined,
  drop: Condition | undefined,
): ((c: EvalContext) => boolean) | undefined {
  const inc = include ? compileMatch(kind, include) : undefined;
  const exc = exclude ? compileMatch(kind, exclude) : undefined;
  if (!inc && !exc && !drop) return undefined;
  return (c) => (!inc || inc(c)) && !(exc && exc(c)) && !(drop && drop(c));
}

/**
 * A condition that fails on an item (a converter error) per error_mode: propagate refuses the
 * batch, ignore logs (at most every 10 s) and treats it as false (the item is kept), silent only counts.
 */
function guard(set: CreateSettings, cfg: Config, signal: Signal): (kind: ContextKind, srcs: string[]) => Condition | undefined {
  const failed = set.telemetry.counter('telemd_processor_ottl_errors_total', 'OTTL statements or conditions that failed on an item', { signal, error_mode: cfg.error_mode });
  let lastLog = 0;
  const one = (cond: Condition): Condition => (c) => {
      try {
        return cond(c);
      } catch (err) {
        failed.add();
        if (cfg.error_mode === 'propagate') throw err;
        if (cfg.error_mode === 'ignore' && Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          set.logger.warn({ err: (err as Error).message, signal }, 'a filter condition failed on an item; the item is kept (error_mode: ignore)');
        }
        return false;
      }
    };
  // Each condition on its own: one that fails does not keep the others from being tried.
  return (kind, srcs) => {
    const conds = srcs.map((src) => one(compileCondition(kind, src)));
    if (conds.length === 0) return undefined;
    return conds.length === 1 ? conds[0]! : (c) => conds.some((f) => f(c));
  };
}

export function createFilterProcessor<S extends Signal>(
  set: CreateSettings,
  cfg: Config,
  signal: S,
  next: Consumer<SignalData[S]>,
): Processor<SignalData[S]> {
  const g = guard(set, cfg, signal);
  let fn: (d: SignalData[S]) => SignalData[S];
  if (signal === 'metrics') {
    const m = cfg.metrics;
    const keepMetric = keeper('metric', m?.include, m?.exclude, g('metric', m?.metric ?? []));
    const dropPoint = g('datapoint', m?.datapoint ?? []);
    fn = (d) => {
      const data = d as MetricsData;
      if (keepMetric) retainMetrics(data, (metric, scope, resource) => keepMetric({ metric, scope, resource }));
      if (dropPoint) retainDataPoints(data, (point, metric, scope, resource) => !dropPoint({ point, metric, scope, resource }));
      return d;
    };
  } else if (signal === 'logs') {
    const l = cfg.logs;
    const keep = keeper('log', l?.include, l?.exclude, g('log', l?.log_record ?? []));
    fn = (d) => {
      if (keep) retainLogs(d as LogsData, (log, scope, resource) => keep({ log, scope, resource }));
      return d;
    };
  } else {
    const keep = keeper('span', cfg.spans?.include, cfg.spans?.exclude, g('span', cfg.traces?.span ?? []));
    const dropEvent = g('spanevent', cfg.traces?.spanevent ?? []);
    fn = (d) => {
      const data = d as TracesData;
      if (keep) retainSpans(data, (span, scope, resource) => keep({ span, scope, resource }));
      if (dropEvent)
        for (const rs of data.resourceSpans)
          for (const ss of rs.scopeSpans)
            for (const span of ss.spans)
              if (span.events.length > 0)
                span.events = span.events.filter((event) => !dropEvent({ span, event, scope: ss.scope, resource: rs.resource }));
      return d;
    };
  }
  return new SimpleProcessor(set, signal, next, fn);
}
