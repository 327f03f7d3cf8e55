import type { CreateSettings, Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { Signal, SignalData, MetricsData, LogsData, TracesData } from '../../src/pdata/types.js';
import { compileActions } from '../../src/processorhelper/actions.js';
import type { ContextKind, EvalContext } from '../../src/processorhelper/expr-eval.js';
import { forEachDataPoint } from '../../src/processorhelper/iterate.js';
import { compileMatch } from '../../src/processorhelper/match.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import type { Config } from './config.js';

const KIND: Record<Signal, ContextKind> = { metrics: 'datapoint', logs: 'log', traces: 'span' };

export function createAttributesProcessor<S extends Signal>(
  set: CreateSettings,
  cfg: Config,
  signal: S,
  next: Consumer<SignalData[S]>,
): Processor<SignalData[S]> {
  const apply = compileActions(cfg.actions);
  const inc = cfg.include ? compileMatch(KIND[signal], cfg.include) : undefined;
  const exc = cfg.exclude ? compileMatch(KIND[signal], cfg.exclude) : undefined;
  const selected = (c: EvalContext): boolean => (!inc || inc(c)) && !(exc && exc(c));
  const filtered = inc !== undefined || exc !== undefined;

  const fn = (data: SignalData[S]): SignalData[S] => {
    if (signal === 'metrics') {
      forEachDataPoint(data as MetricsData, (dp, metric, scope, resource) => {
        if (!filtered || selected({ resource, scope, metric, point: dp })) dp.attributes = apply(dp.attributes);
      });
    } else if (signal === 'logs') {
      for (const rl of (data as LogsData).resourceLogs)
        for (const sl of rl.scopeLogs)
          for (const log of sl.logRecords)
            if (!filtered || selected({ resource: rl.resource, scope: sl.scope, log })) log.attributes = apply(log.attributes);
    } else {
      for (const rs of (data as TracesData).resourceSpans)
        for (const ss of rs.scopeSpans)
          for (const span of ss.spans)
            if (!filtered || selected({ resource: rs.resource, scope: ss.scope, span })) span.attributes = apply(span.attributes);
    }
    return data;
  };
  return new SimpleProcessor(set, signal, next, fn);
}
