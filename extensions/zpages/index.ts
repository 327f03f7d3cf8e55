import { extensionFactory } from '../../src/component/component.js';
import { configSchema, validate, type Config } from './config.js';
import { ZPages } from './extension.js';

export const factory = extensionFactory<Config>({
  type: 'zpages',
  description: 'Debug pages of the running agent: servicez, pipelinez, extensionz, featurez (loopback)',
  config: configSchema,
  validate,
  create: (set, cfg) => new ZPages(set, cfg),
});
