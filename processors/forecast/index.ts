import { processorFactory, type Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import { EventInjector } from '../../src/analysis/injector.js';
import type { LogsData, MetricsData, SignalData } from '../../src/pdata/types.js';
import { configSchema, validate, type Config } from './config.js';
import { ForecastProcessor } from './processor.js';

export const factory = processorFactory<Config>({
  type: 'forecast',
  description: 'Forecasts when filesystems, memory or any gauge with a limit will be full (*.time_to_full)',
  config: configSchema,
  signals: ['metrics', 'logs'],
  validate,
  create: (set, cfg, signal, next) =>
    (signal === 'metrics'
      ? new ForecastProcessor(set, cfg, next as Consumer<MetricsData>)
      : new EventInjector(set, 'logs', next as Consumer<LogsData>)) as unknown as Processor<SignalData[typeof signal]>,
});
