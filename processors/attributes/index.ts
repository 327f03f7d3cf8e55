import { processorFactory } from '../../src/component/component.js';
import { validateActions } from '../../src/processorhelper/actions.js';
import { validateMatch } from '../../src/processorhelper/match.js';
import { createAttributesProcessor } from './attributes.js';
import { configSchema, type Config } from './config.js';

export const factory = processorFactory<Config>({
  type: 'attributes',
  description: 'Insert, update, upsert, delete, hash, extract or convert span/log/data point attributes',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate: (cfg) => {
    const errs = validateActions(cfg.actions);
    if (cfg.actions.length === 0) errs.push('actions: list at least one action');
    // Which properties apply depends on the pipeline's signal; items lacking one never match.
    for (const [name, m] of [['include', cfg.include], ['exclude', cfg.exclude]] as const)
      if (m) errs.push(...validateMatch('any', m, name));
    return errs;
  },
  create: (set, cfg, signal, next) => createAttributesProcessor(set, cfg, signal, next),
});
