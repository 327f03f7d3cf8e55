import { s, type Infer } from '../../src/config/schema.js';
import type { ContextKind } from '../../src/processorhelper/expr-eval.js';
import type { Statement } from '../../src/processorhelper/expr-parse.js';

// Each list entry is either a statement string (the Collector's basic style: the context is
// inferred from the paths) or a {context, error_mode, conditions, statements} group; checked in
// groups.ts.
const groups = () => s.array(s.unknown()).default([]);

export const ERROR_MODES = ['ignore', 'silent', 'propagate'] as const;
export type ErrorMode = (typeof ERROR_MODES)[number];

export const configSchema = s.object({
  error_mode: s.enum(ERROR_MODES).default('propagate').describe('a statement that fails on an item: propagate (refuse the batch; the Collector\'s default), ignore (logged, go on) or silent'),
  trace_statements: groups(),
  metric_statements: groups(),
  log_statements: groups(),
});
export type Config = Infer<typeof configSchema>;

export interface Group {
  context: ContextKind;
  statements: { src: string; ast: Statement; path: (string | number)[] }[];
  conditions: { src: string; path: (string | number)[] }[];
  errorMode: ErrorMode;
  /** Whether the context was written (else inferred from the paths). */
  explicit: boolean;
}
