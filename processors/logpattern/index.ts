import { processorFactory, type Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import { EventInjector } from '../../src/analysis/injector.js';
import type { LogsData, MetricsData, SignalData } from '../../src/pdata/types.js';
import { configSchema, type Config } from './config.js';
import { LogPatternProcessor } from './processor.js';

export const factory = processorFactory<Config>({
  type: 'logpattern',
  description: 'Mines log templates online (log.template, log.template.id), tags new templates and rate jumps',
  config: configSchema,
  signals: ['logs', 'metrics'],
  create: (set, cfg, signal, next) =>
    (signal === 'logs'
      ? new LogPatternProcessor(set, cfg, next as Consumer<LogsData>)
      : new EventInjector(set, 'metrics', next as Consumer<MetricsData>)) as unknown as Processor<SignalData[typeof signal]>,
});
