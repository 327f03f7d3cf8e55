import { extensionFactory } from '../../src/component/component.js';
import { configSchema, validate, type Config } from './config.js';
import { Console } from './extension.js';

export const factory = extensionFactory<Config>({
  type: 'console',
  description: 'The agent\'s local HTTP API: Prometheus API on the history, component status, live tap (bearer token, loopback)',
  config: configSchema,
  validate,
  create: (set, cfg) => new Console(set, cfg),
});
