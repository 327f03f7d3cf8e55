import { processorFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { createSampler } from './sampler.js';

export const factory = processorFactory<Config>({
  type: 'probabilistic_sampler',
  description: 'Keep a percentage of traces (by trace id hash) or logs, matching the Collector hash_seed mode',
  config: configSchema,
  signals: ['logs', 'traces'],
  validate: (cfg) => {
    const e: string[] = [];
    if (cfg.sampling_percentage > 100) e.push(`sampling_percentage: must be <= 100, got ${cfg.sampling_percentage}`);
    if (cfg.attribute_source === 'record' && !cfg.from_attribute)
      e.push('from_attribute: required when attribute_source is "record"');
    return e;
  },
  create: (set, cfg, signal, next) => createSampler(set, cfg, signal, next),
});
