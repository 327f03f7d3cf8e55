import { processorFactory } from '../../src/component/component.js';
import { s } from '../../src/config/schema.js';

// The Collector's nop processor: hands every batch on unchanged, acknowledgement included.
export const factory = processorFactory<Record<string, never>>({
  type: 'nop',
  description: 'Passes every batch on unchanged (a placeholder in Collector configs)',
  config: s.object({}),
  signals: ['metrics', 'logs', 'traces'],
  create: (_set, _cfg, _signal, next) => ({
    capabilities: { mutatesData: false },
    consume: (d) => next.consume(d),
    start: async () => undefined,
    shutdown: async () => undefined,
  }),
});
