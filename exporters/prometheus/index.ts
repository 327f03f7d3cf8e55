import { exporterFactory } from '../../src/component/component.js';
import { parseEndpoint } from '../../src/util/endpoint.js';
import { configSchema, type Config } from './config.js';
import { PrometheusExporter } from './exporter.js';

export const factory = exporterFactory<Config>({
  type: 'prometheus',
  description: 'Serves pipeline metrics for Prometheus to scrape (default 127.0.0.1:9464/metrics)',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) => (parseEndpoint(cfg.endpoint) ? [] : [`endpoint "${cfg.endpoint}" must be host:port`]),
  create: (set, cfg) => new PrometheusExporter(set, cfg),
});
