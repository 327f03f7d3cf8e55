import { s, type Infer } from '../../src/config/schema.js';
import { matchSchema } from '../../src/processorhelper/match.js';

const conds = () => s.array(s.string()).optional();

// Collector keys: legacy include/exclude blocks plus OTTL-style condition lists (a subset of
// OTTL, see README). An item is dropped when any condition is true.
export const configSchema = s.object({
  error_mode: s.enum(['ignore', 'silent', 'propagate'] as const).default('propagate'),
  metrics: s
    .object({
      include: matchSchema.optional(),
      exclude: matchSchema.optional(),
      metric: conds().describe('Drop whole metrics where any condition is true'),
      datapoint: conds().describe('Drop data points where any condition is true'),
    })
    .optional(),
  logs: s
    .object({ include: matchSchema.optional(), exclude: matchSchema.optional(), log_record: conds() })
    .optional(),
  spans: s.object({ include: matchSchema.optional(), exclude: matchSchema.optional() }).optional(),
  traces: s.object({ span: conds(), spanevent: conds() }).optional(),
});
export type Config = Infer<typeof configSchema>;
