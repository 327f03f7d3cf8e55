import { exporterFactory } from '../../src/component/component.js';
import { configSchema, validate, type Config } from './config.js';
import { OtlpHttpExporter } from './exporter.js';

export const factory = exporterFactory<Config>({
  type: 'otlphttp',
  description: 'Sends OTLP/HTTP (protobuf or JSON) to a backend, with queue, retries, gzip and TLS',
  config: configSchema,
  validate,
  signals: ['metrics', 'logs', 'traces'],
  create: (set, cfg, signals) => new OtlpHttpExporter(set, cfg, signals),
});
