import { exporterFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { FileExporter } from './exporter.js';

export const factory = exporterFactory<Config>({
  type: 'file',
  description: 'Writes OTLP JSON (one export request per line) to a file, with rotation',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate: (c) => {
    if (c.compression_level === undefined) return [];
    if (c.compression === 'none') return ['compression_level: set compression (gzip or zstd) too'];
    if (c.compression === 'gzip' && c.compression_level > 9) return [`compression_level: gzip takes 1-9, got ${c.compression_level}`];
    return [];
  },
  create: (set, cfg, signals) => new FileExporter(set, cfg, signals),
});
