import { processorFactory, type Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { LogsData, MetricsData, SignalData } from '../../src/pdata/types.js';
import { configSchema, type Config } from './config.js';
import { AnomalyProcessor } from './processor.js';
import { EventInjector } from '../../src/analysis/injector.js';

export const factory = processorFactory<Config>({
  type: 'anomaly',
  description: 'Scores metric points online and tags anomalies (anomaly.score, anomaly); onset records into logs pipelines',
  config: configSchema,
  signals: ['metrics', 'logs'],
  create: (set, cfg, signal, next) =>
    (signal === 'metrics'
      ? new AnomalyProcessor(set, cfg, next as Consumer<MetricsData>)
      : new EventInjector(set, 'logs', next as Consumer<LogsData>)) as unknown as Processor<SignalData[typeof signal]>,
});
