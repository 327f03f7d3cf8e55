import { exporterFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { FileExporter } from './exporter.js';

export const factory = exporterFactory<Config>({
  type: 'file',
  description: 'Writes OTLP JSON (one export request per line) to a file, with rotation',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  create: (set, cfg, signals) => new FileExporter(set, cfg, signals),
});
