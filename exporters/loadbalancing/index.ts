import { exporterFactory } from '../../src/component/component.js';
import { configSchema, validate, type Config } from './config.js';
import { LoadBalancingExporter } from './exporter.js';

export const factory = exporterFactory<Config>({
  type: 'loadbalancing',
  description: 'Spreads data over backends by trace id, service, resource, metric or stream on a consistent-hash ring (OTLP/gRPC, a queue per backend)',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate,
  create: (set, cfg, signals) => new LoadBalancingExporter(set, cfg, signals),
});
