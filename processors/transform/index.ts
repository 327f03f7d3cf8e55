import { processorFactory } from '../../src/component/component.js';
import { SIGNALS } from '../../src/pdata/types.js';
import { configSchema, type Config } from './config.js';
import { buildGroups } from './groups.js';
import { createTransformProcessor } from './transform.js';

export const factory = processorFactory<Config>({
  type: 'transform',
  description: 'Modify telemetry with OTTL statements: the Collector\'s editors, converters and metric functions',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate: (cfg) => SIGNALS.flatMap((signal) => buildGroups(cfg, signal).errors),
  create: (set, cfg, signal, next) => createTransformProcessor(set, cfg, signal, next),
});
