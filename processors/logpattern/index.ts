import { processorFactory } from '../../src/component/component.js';
import { withTwin } from '../../src/analysis/injector.js';
import { configSchema, type Config } from './config.js';
import { LogPatternProcessor } from './processor.js';

export const factory = processorFactory<Config>({
  type: 'logpattern',
  description: 'Mines log templates online (log.template, log.template.id), tags new templates and rate jumps',
  config: configSchema,
  signals: ['logs', 'metrics'],
  emits: ['metrics'],
  create: (set, cfg, signal, next, emit) => withTwin(signal, next, 'logs', (n) => new LogPatternProcessor(set, cfg, n, emit?.metrics)),
});
