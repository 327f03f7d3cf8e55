import { receiverFactory } from '../../src/component/component.js';
import { buildPipeline } from '../../src/stanza/index.js';
import { configSchema, type Config } from './config.js';
import { compileMultiline } from './multiline.js';
import { FileLogReceiver } from './receiver.js';

export const factory = receiverFactory<Config>({
  type: 'filelog',
  description: 'Tails files; checkpoints advance only for acknowledged lines',
  config: configSchema,
  signals: ['logs'],
  validate(cfg) {
    const errs: string[] = [];
    if (cfg.include.length === 0) errs.push('include: list at least one glob pattern');
    if (cfg.multiline) {
      const m = compileMultiline(cfg.multiline);
      if (m.error) errs.push(m.error);
    }
    errs.push(...buildPipeline(cfg.operators).errors);
    return errs;
  },
  create: (set, cfg, next) => new FileLogReceiver(set, cfg, next.logs!),
});
