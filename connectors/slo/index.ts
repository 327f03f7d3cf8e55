import { connectorFactory } from '../../src/component/component.js';
import { configSchema, validate, type Config } from './config.js';
import { SloEngine } from './engine.js';
import { serve } from './routes.js';

export const factory = connectorFactory<Config>({
  type: 'slo',
  description: 'Service level objectives over probe results or PromQL SLIs: error ratios, burn rates and error budgets as metrics, multi-window burn-rate alerts for the alerts connector',
  config: configSchema,
  validate,
  metricsToMetrics: (set, cfg, next) => {
    const engine = new SloEngine(set, cfg);
    let unserve: (() => void) | undefined;
    return {
      capabilities: { mutatesData: false },
      consume: async (md) => engine.consume(md),
      start: async (host) => {
        engine.addOut(next);
        await engine.start(host);
        unserve = serve(engine);
      },
      shutdown: async () => {
        unserve?.();
        unserve = undefined;
        engine.removeOut(next);
        await engine.stop();
      },
    };
  },
});
