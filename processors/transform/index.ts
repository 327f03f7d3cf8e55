import { processorFactory } from '../../src/component/component.js';
import { SIGNALS } from '../../src/pdata/types.js';
import { compileAny, compileStatement } from '../../src/processorhelper/expr-eval.js';
import { configSchema, type Config } from './config.js';
import { FIELD, readGroups } from './groups.js';
import { createTransformProcessor } from './transform.js';

export const factory = processorFactory<Config>({
  type: 'transform',
  description: 'Set or delete fields and attributes with OTTL-style statements (a subset of OTTL)',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate: (cfg) => {
    const errs: string[] = [];
    for (const signal of SIGNALS) {
      const { groups, errors } = readGroups(cfg, signal);
      errs.push(...errors);
      groups.forEach((g) => {
        for (const st of g.statements)
          try {
            compileStatement(g.context, st);
          } catch (e) {
            errs.push(`${FIELD[signal]} (${g.context}): ${(e as Error).message}: ${st}`);
          }
        try {
          compileAny(g.context, g.conditions);
        } catch (e) {
          errs.push(`${FIELD[signal]} (${g.context}) conditions: ${(e as Error).message}`);
        }
      });
    }
    return errs;
  },
  create: (set, cfg, signal, next) => createTransformProcessor(set, cfg, signal, next),
});
