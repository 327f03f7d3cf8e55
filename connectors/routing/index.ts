import { connectorFactory } from '../../src/component/component.js';
import { configSchema, validate, validateConnections, type Config } from './config.js';
import { RoutingConnector } from './connector.js';

export const factory = connectorFactory<Config>({
  type: 'routing',
  description: 'Routes resources or items to pipelines by OTTL conditions (routing table, default pipelines)',
  config: configSchema,
  validate,
  validateConnections,
  metricsToMetrics: (set, cfg, next) => new RoutingConnector(set, cfg, 'metrics', next),
  logsToLogs: (set, cfg, next) => new RoutingConnector(set, cfg, 'logs', next),
  tracesToTraces: (set, cfg, next) => new RoutingConnector(set, cfg, 'traces', next),
});
