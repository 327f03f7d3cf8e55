import { processorFactory } from '../../src/component/component.js';
import { compileActions, validateActions } from '../../src/processorhelper/actions.js';
import { resources } from '../../src/processorhelper/iterate.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import { configSchema, type Config } from './config.js';

export const factory = processorFactory<Config>({
  type: 'resource',
  description: 'Insert, update, upsert, delete, hash, extract or convert resource attributes',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate: (cfg) => {
    const errs = validateActions(cfg.attributes, 'attributes');
    if (cfg.attributes.length === 0) errs.push('attributes: list at least one action');
    return errs;
  },
  create: (set, cfg, signal, next) => {
    const apply = compileActions(cfg.attributes);
    return new SimpleProcessor(set, signal, next, (data) => {
      for (const r of resources(data)) r.attributes = apply(r.attributes);
      return data;
    });
  },
});
