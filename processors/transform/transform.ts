import type { CreateSettings, Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { InstrumentationScope, LogsData, Metric, MetricsData, Resource, Signal, SignalData, TracesData } from '../../src/pdata/types.js';
import type { EvalContext } from '../../src/processorhelper/expr-eval.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import type { Config } from './config.js';
import { buildGroups, type CompiledGroup } from './groups.js';

type Visit = (fn: (c: EvalContext) => void) => void;
const NO_SCOPE: InstrumentationScope = { name: '' };

/** Visit every context of a kind in a batch (metrics appended meanwhile are visited too). */
function visitor(signal: Signal, data: SignalData[Signal], ctx: CompiledGroup['context']): Visit {
  return (fn) => {
    const scopes: { resource: Resource; scope: InstrumentationScope; items: unknown[] }[] = [];
    if (signal === 'logs')
      for (const rl of (data as LogsData).resourceLogs) {
        if (ctx === 'resource') fn({ resource: rl.resource, scope: NO_SCOPE });
        else for (const sl of rl.scopeLogs) scopes.push({ resource: rl.resource, scope: sl.scope, items: sl.logRecords });
      }
    else if (signal === 'traces')
      for (const rs of (data as TracesData).resourceSpans) {
        if (ctx === 'resource') fn({ resource: rs.resource, scope: NO_SCOPE });
        else for (const ss of rs.scopeSpans) scopes.push({ resource: rs.resource, scope: ss.scope, items: ss.spans });
      }
    else
      for (const rm of (data as MetricsData).resourceMetrics) {
        if (ctx === 'resource') fn({ resource: rm.resource, scope: NO_SCOPE });
        else for (const sm of rm.scopeMetrics) scopes.push({ resource: rm.resource, scope: sm.scope, items: sm.metrics });
      }
    for (const { resource, scope, items } of scopes) {
      if (ctx === 'scope') {
        fn({ resource, scope });
        continue;
      }
      // By index: a metric function may append metrics to this slice.
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (ctx === 'log') fn({ resource, scope, log: item as EvalContext['log'] });
        else if (ctx === 'span') fn({ resource, scope, span: item as EvalContext['span'] });
        else if (ctx === 'spanevent') {
          const span = item as NonNullable<EvalContext['span']>;
          for (const event of span.events) fn({ resource, scope, span, event });
        } else {
          const metric = item as Metric;
          if (ctx === 'metric') fn({ resource, scope, metric, metrics: items as Metric[] });
          else if (metric.type !== 'empty')
            for (const point of metric.dataPoints as NonNullable<EvalContext['point']>[]) fn({ resource, scope, metric, point });
        }
      }
    }
  };
}

export function createTransformProcessor<S extends Signal>(
  set: CreateSettings,
  cfg: Config,
  signal: S,
  next: Consumer<SignalData[S]>,
): Processor<SignalData[S]> {
  const { groups, errors } = buildGroups(cfg, signal);
  if (errors.length) throw new Error(errors.map((e) => `${e.path.join('.')}: ${e.message}`).join('; '));
  const failed = {
    ignore: set.telemetry.counter('telemd_processor_ottl_errors_total', 'OTTL statements or conditions that failed on an item', { signal, error_mode: 'ignore' }),
    silent: set.telemetry.counter('telemd_processor_ottl_errors_total', 'OTTL statements or conditions that failed on an item', { signal, error_mode: 'silent' }),
    propagate: set.telemetry.counter('telemd_processor_ottl_errors_total', 'OTTL statements or conditions that failed on an item', { signal, error_mode: 'propagate' }),
  };
  let lastLog = 0;
  const onError = (g: CompiledGroup, where: string, err: unknown): void => {
    failed[g.errorMode].add();
    if (g.errorMode === 'propagate') throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
    // ignore: logged (at most every 10 s; the count is in the metric); silent: only counted.
    if (g.errorMode === 'ignore' && Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      set.logger.warn({ err: (err as Error).message, statement: where, signal }, 'an OTTL statement failed on an item; going on with the next one (error_mode: ignore)');
    }
  };
  const run = groups.map((g) => (c: EvalContext) => {
    if (g.cache) c.cache = {};
    if (g.condition) {
      let ok = false;
      try {
        ok = g.condition(c);
      } catch (err) {
        onError(g, 'the group conditions', err);
      }
      if (!ok) return;
    }
    for (const st of g.statements) {
      try {
        st.run(c);
      } catch (err) {
        onError(g, st.src, err);
      }
    }
  });
  return new SimpleProcessor(set, signal, next, (data) => {
    groups.forEach((g, i) => visitor(signal, data, g.context)(run[i]!));
    return data;
  });
}
