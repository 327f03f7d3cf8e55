import { exporterFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { HistoryExporter } from './exporter.js';

export const factory = exporterFactory<Config>({
  type: 'history',
  description: 'Stores pipeline metrics on local disk in a compressed, tiered time-series store queryable with PromQL',
  config: configSchema,
  signals: ['metrics'],
  create: (set, cfg) => new HistoryExporter(set, cfg),
});
