import { processorFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { AnomalyProcessor } from './processor.js';
import { withTwin } from '../../src/analysis/injector.js';

export const factory = processorFactory<Config>({
  type: 'anomaly',
  description: 'Scores metric points online and tags anomalies (anomaly.score, anomaly); onset records into logs pipelines',
  config: configSchema,
  signals: ['metrics', 'logs'],
  emits: ['logs'],
  create: (set, cfg, signal, next, emit) => withTwin(signal, next, 'metrics', (n) => new AnomalyProcessor(set, cfg, n, emit?.logs)),
});
