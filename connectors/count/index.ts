import { connectorFactory } from '../../src/component/component.js';
import { configSchema, validate, type Config } from './config.js';
import { CountConnector } from './connector.js';

export const factory = connectorFactory<Config>({
  type: 'count',
  description: 'Counts spans, span events, metrics, data points or log records (with OTTL conditions) into metrics',
  config: configSchema,
  validate,
  tracesToMetrics: (set, cfg, next) => new CountConnector(set, cfg, 'traces', next),
  metricsToMetrics: (set, cfg, next) => new CountConnector(set, cfg, 'metrics', next),
  logsToMetrics: (set, cfg, next) => new CountConnector(set, cfg, 'logs', next),
});
