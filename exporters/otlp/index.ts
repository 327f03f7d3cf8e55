import { exporterFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { OtlpGrpcExporter } from './exporter.js';

export const factory = exporterFactory<Config>({
  type: 'otlp',
  description: 'Sends OTLP/gRPC to a backend (Collector gateway or vendor), with queue, retries, gzip and TLS',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  create: (set, cfg, signals) => new OtlpGrpcExporter(set, cfg, signals),
});
