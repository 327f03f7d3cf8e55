import { extensionFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { PprofExtension } from './extension.js';

export const factory = extensionFactory<Config>({
  type: 'pprof',
  description: 'CPU profiles and heap snapshots of the agent process on demand (V8 formats; loopback)',
  config: configSchema,
  create: (set, cfg) => new PprofExtension(set, cfg),
});
