import { extensionFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { FileStorage } from './file-storage.js';

export const factory = extensionFactory<Config>({
  type: 'file_storage',
  description: 'Durable state on local disk for checkpoints and persistent queues',
  config: configSchema,
  create: (set, cfg) => new FileStorage(set, cfg),
});
