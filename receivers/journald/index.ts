import { receiverFactory } from '../../src/component/component.js';
import { buildPipeline } from '../../src/stanza/index.js';
import { configSchema, type Config } from './config.js';
import { JournaldReceiver } from './receiver.js';

export const factory = receiverFactory<Config>({
  type: 'journald',
  description: 'Follows the systemd journal via journalctl; the cursor advances only for acknowledged entries',
  config: configSchema,
  signals: ['logs'],
  validate(cfg) {
    const errs: string[] = [];
    if (cfg.directory && cfg.files.length) errs.push('set either directory or files, not both');
    for (const m of cfg.matches)
      for (const k of Object.keys(m)) if (!/^[A-Z0-9_]+$/.test(k)) errs.push(`matches: "${k}" is not a journal field name (upper case, digits, _)`);
    errs.push(...buildPipeline(cfg.operators).errors);
    return errs;
  },
  create: (set, cfg, next) => new JournaldReceiver(set, cfg, next.logs!),
});
