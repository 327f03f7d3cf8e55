import { processorFactory } from '../../src/component/component.js';
import type { Attributes } from '../../src/pdata/types.js';
import { resources } from '../../src/processorhelper/iterate.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import { configSchema, type Config } from './config.js';
import { detect } from './detectors.js';

export const factory = processorFactory<Config>({
  type: 'resourcedetection',
  description: 'Adds host and OS attributes (system) and OTEL_RESOURCE_ATTRIBUTES (env) to resources',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  create: (set, cfg, signal, next) => {
    let entries: [string, Attributes[string]][] = [];
    return new SimpleProcessor(
      set,
      signal,
      next,
      (data) => {
        for (const r of resources(data))
          for (const [k, v] of entries) if (cfg.override || !(k in r.attributes)) r.attributes[k] = v;
        return data;
      },
      {
        start: async () => {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<never>((_, rej) => {
            timer = setTimeout(() => rej(new Error(`detection took longer than ${cfg.timeout}ms`)), cfg.timeout);
          });
          try {
            const r = await Promise.race([detect(cfg), timeout]);
            entries = Object.entries(r.attrs);
            for (const e of r.errors) set.logger.warn({ detail: e }, 'resource detection incomplete');
          } catch (e) {
            set.logger.error({ err: (e as Error).message }, 'resource detection failed; resources pass unchanged');
          } finally {
            clearTimeout(timer);
          }
          set.logger.debug({ keys: entries.map(([k]) => k) }, 'resource attributes detected');
        },
      },
    );
  },
});
