import { s, type Infer } from '../../src/config/schema.js';
import type { ContextKind } from '../../src/processorhelper/expr-eval.js';

// Each list entry is either a statement string (item context) or the Collector's
// {context, statements, conditions} group; checked in groups.ts.
const groups = () => s.array(s.unknown()).default([]);

export const configSchema = s.object({
  error_mode: s.enum(['ignore', 'silent', 'propagate'] as const).default('propagate'),
  trace_statements: groups(),
  metric_statements: groups(),
  log_statements: groups(),
});
export type Config = Infer<typeof configSchema>;

export interface Group {
  context: ContextKind;
  statements: string[];
  conditions: string[];
}
