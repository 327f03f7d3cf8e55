import { processorFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { MemoryLimiterProcessor } from './limiter.js';
import { validateLimits } from './limits.js';

export const factory = processorFactory<Config>({
  type: 'memory_limiter',
  description: 'Refuses data (retryable) while process memory is above the soft limit; forces GC above the hard limit',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate: validateLimits,
  create: (set, cfg, signal, next) => new MemoryLimiterProcessor(set, cfg, signal, next),
});
