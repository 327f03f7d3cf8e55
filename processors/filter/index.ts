import { processorFactory } from '../../src/component/component.js';
import { compileAny, type ContextKind } from '../../src/processorhelper/expr-eval.js';
import { validateMatch } from '../../src/processorhelper/match.js';
import { configSchema, type Config } from './config.js';
import { createFilterProcessor } from './filter.js';

function checkConds(kind: ContextKind, list: string[] | undefined, where: string): string[] {
  const errs: string[] = [];
  (list ?? []).forEach((c, i) => {
    try {
      compileAny(kind, [c]);
    } catch (e) {
      errs.push(`${where}[${i}]: ${(e as Error).message}: ${c}`);
    }
  });
  return errs;
}

export const factory = processorFactory<Config>({
  type: 'filter',
  description: 'Drop metrics, data points, log records, spans or span events by name, attribute, severity or condition',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate: (cfg) => {
    const e: string[] = [];
    const m = cfg.metrics;
    if (m?.include) e.push(...validateMatch('metric', m.include, 'metrics.include'));
    if (m?.exclude) e.push(...validateMatch('metric', m.exclude, 'metrics.exclude'));
    e.push(...checkConds('metric', m?.metric, 'metrics.metric'), ...checkConds('datapoint', m?.datapoint, 'metrics.datapoint'));
    if (cfg.logs?.include) e.push(...validateMatch('log', cfg.logs.include, 'logs.include'));
    if (cfg.logs?.exclude) e.push(...validateMatch('log', cfg.logs.exclude, 'logs.exclude'));
    e.push(...checkConds('log', cfg.logs?.log_record, 'logs.log_record'));
    if (cfg.spans?.include) e.push(...validateMatch('span', cfg.spans.include, 'spans.include'));
    if (cfg.spans?.exclude) e.push(...validateMatch('span', cfg.spans.exclude, 'spans.exclude'));
    e.push(...checkConds('span', cfg.traces?.span, 'traces.span'), ...checkConds('spanevent', cfg.traces?.spanevent, 'traces.spanevent'));
    return e;
  },
  create: (set, cfg, signal, next) => createFilterProcessor(set, cfg, signal, next),
});
