import { processorFactory } from '../../src/component/component.js';
import { withTwin } from '../../src/analysis/injector.js';
import { configSchema, validate, type Config } from './config.js';
import { ForecastProcessor } from './processor.js';

export const factory = processorFactory<Config>({
  type: 'forecast',
  description: 'Forecasts when filesystems, memory or any gauge with a limit will be full (*.time_to_full)',
  config: configSchema,
  signals: ['metrics', 'logs'],
  validate,
  emits: ['logs'],
  create: (set, cfg, signal, next, emit) => withTwin(signal, next, 'metrics', (n) => new ForecastProcessor(set, cfg, n, emit?.logs)),
});
