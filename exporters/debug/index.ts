import { exporterFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { DebugExporter } from './exporter.js';

export const factory = exporterFactory<Config>({
  type: 'debug',
  description: 'Logs a summary of each batch (every item with verbosity: detailed)',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  create: (set, cfg, signals) => new DebugExporter(set, cfg, signals),
});
