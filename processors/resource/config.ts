import { s, type Infer } from '../../src/config/schema.js';
import { actionSchema } from '../../src/processorhelper/actions.js';

// The Collector's resource processor names its action list `attributes`.
export const configSchema = s.object({
  attributes: s.array(actionSchema).describe('Actions applied in order to resource attributes'),
});
export type Config = Infer<typeof configSchema>;
