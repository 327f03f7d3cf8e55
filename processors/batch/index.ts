import { processorFactory } from '../../src/component/component.js';
import { BatchProcessor } from './batcher.js';
import { configSchema, type Config } from './config.js';

export const factory = processorFactory<Config>({
  type: 'batch',
  description: 'Groups items into batches by size and time; acknowledgements stay per input',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate: (c) =>
    c.send_batch_max_size > 0 && c.send_batch_max_size < c.send_batch_size
      ? ['send_batch_max_size must be 0 or >= send_batch_size']
      : [],
  create: (set, cfg, signal, next) => new BatchProcessor(set, cfg, signal, next),
});
