import { extensionFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { HealthCheck } from './extension.js';

export const factory = extensionFactory<Config>({
  type: 'health_check',
  description: 'HTTP health endpoint (200 healthy / 503 with reasons) and POST /reload',
  config: configSchema,
  create: (set, cfg) => new HealthCheck(set, cfg),
});
