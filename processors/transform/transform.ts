import type { CreateSettings, Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { InstrumentationScope, LogsData, MetricsData, Resource, Signal, SignalData, TracesData } from '../../src/pdata/types.js';
import { compileAny, compileStatement, type Effect, type EvalContext } from '../../src/processorhelper/expr-eval.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import type { Config, Group } from './config.js';
import { readGroups } from './groups.js';

type Visit = (fn: (c: EvalContext) => void) => void;

/** Visit every context of a kind in a batch. */
function visitor(signal: Signal, data: SignalData[Signal], ctx: Group['context']): Visit {
  return (fn) => {
    const scopes: { resource: Resource; scope: InstrumentationScope; items: unknown[] }[] = [];
    if (signal === 'logs')
      for (const rl of (data as LogsData).resourceLogs) {
        if (ctx === 'resource') fn({ resource: rl.resource, scope: { name: '' } });
        else for (const sl of rl.scopeLogs) scopes.push({ resource: rl.resource, scope: sl.scope, items: sl.logRecords });
      }
    else if (signal === 'traces')
      for (const rs of (data as TracesData).resourceSpans) {
        if (ctx === 'resource') fn({ resource: rs.resource, scope: { name: '' } });
        else for (const ss of rs.scopeSpans) scopes.push({ resource: rs.resource, scope: ss.scope, items: ss.spans });
      }
    else
      for (const rm of (data as MetricsData).resourceMetrics) {
        if (ctx === 'resource') fn({ resource: rm.resource, scope: { name: '' } });
        else for (const sm of rm.scopeMetrics) scopes.push({ resource: rm.resource, scope: sm.scope, items: sm.metrics });
      }
    for (const { resource, scope, items } of scopes) {
      if (ctx === 'scope') {
        fn({ resource, scope });
        continue;
      }
      for (const item of items) {
        if (ctx === 'log') fn({ resource, scope, log: item as EvalContext['log'] });
        else if (ctx === 'span') fn({ resource, scope, span: item as EvalContext['span'] });
        else if (ctx === 'spanevent') {
          const span = item as NonNullable<EvalContext['span']>;
          for (const event of span.events) fn({ resource, scope, span, event });
        } else {
          const metric = item as NonNullable<EvalContext['metric']>;
          if (ctx === 'metric') fn({ resource, scope, metric });
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
  const { groups, errors } = readGroups(cfg, signal);
  if (errors.length) throw new Error(errors.join('; '));
  const compiled = groups.map((g) => {
    const effects: Effect[] = g.statements.map((st) => compileStatement(g.context, st));
    const cond = compileAny(g.context, g.conditions);
    const run: Effect = (c) => {
      if (cond && !cond(c)) return;
      for (const e of effects) e(c);
    };
    return { context: g.context, run };
  });
  return new SimpleProcessor(set, signal, next, (data) => {
    for (const g of compiled) visitor(signal, data, g.context)(g.run);
    return data;
  });
}
