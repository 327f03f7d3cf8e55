import { receiverFactory } from '../../src/component/component.js';
import { s } from '../../src/config/schema.js';

// The Collector's nop receiver: a pipeline head that produces nothing (placeholders in test
// and template configs). No keys, like the Collector's.
export const factory = receiverFactory<Record<string, never>>({
  type: 'nop',
  description: 'Produces nothing: a placeholder pipeline head (Collector test and template configs)',
  config: s.object({}),
  signals: ['metrics', 'logs', 'traces'],
  create: () => ({ start: async () => undefined, shutdown: async () => undefined }),
});
