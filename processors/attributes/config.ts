import { s, type Infer } from '../../src/config/schema.js';
import { actionSchema } from '../../src/processorhelper/actions.js';
import { matchSchema } from '../../src/processorhelper/match.js';

export const configSchema = s.object({
  actions: s.array(actionSchema).describe('Applied in order to each span, log record or data point'),
  include: matchSchema.optional().describe('Only items matching this are modified'),
  exclude: matchSchema.optional().describe('Items matching this are left alone'),
});
export type Config = Infer<typeof configSchema>;
