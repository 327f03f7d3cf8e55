import { extensionFactory } from '../../src/component/component.js';
import { s } from '../../src/config/schema.js';

export const factory = extensionFactory<Record<string, never>>({
  type: 'nop',
  description: 'Does nothing: a placeholder extension (Collector test configs)',
  config: s.object({}),
  create: () => ({ start: async () => undefined, shutdown: async () => undefined }),
});
