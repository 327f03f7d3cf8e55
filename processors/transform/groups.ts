import type { Signal } from '../../src/pdata/types.js';
import type { ContextKind } from '../../src/processorhelper/expr-eval.js';
import type { Config, Group } from './config.js';

export const CONTEXTS: Record<Signal, ContextKind[]> = {
  traces: ['resource', 'scope', 'span', 'spanevent'],
  logs: ['resource', 'scope', 'log'],
  metrics: ['resource', 'scope', 'metric', 'datapoint'],
};
const DEFAULT_CONTEXT: Record<Signal, ContextKind> = { traces: 'span', logs: 'log', metrics: 'datapoint' };
export const FIELD: Record<Signal, 'trace_statements' | 'log_statements' | 'metric_statements'> = {
  traces: 'trace_statements',
  logs: 'log_statements',
  metrics: 'metric_statements',
};

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Normalise the statement list of a signal; problems are returned, not thrown. */
export function readGroups(cfg: Config, signal: Signal): { groups: Group[]; errors: string[] } {
  const field = FIELD[signal];
  const groups: Group[] = [];
  const errors: string[] = [];
  cfg[field].forEach((entry, i) => {
    const at = `${field}[${i}]`;
    if (typeof entry === 'string') {
      groups.push({ context: DEFAULT_CONTEXT[signal], statements: [entry], conditions: [] });
      return;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      errors.push(`${at}: expected a statement string or a map with context and statements`);
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e))
      if (!['context', 'statements', 'conditions'].includes(k)) errors.push(`${at}: unknown key "${k}"`);
    const ctx = (e.context ?? DEFAULT_CONTEXT[signal]) as ContextKind;
    if (!CONTEXTS[signal].includes(ctx)) {
      errors.push(`${at}.context: must be one of ${CONTEXTS[signal].join(', ')}, got ${JSON.stringify(e.context)}`);
      return;
    }
    if (!strings(e.statements) || e.statements.length === 0) {
      errors.push(`${at}.statements: expected a non-empty list of strings`);
      return;
    }
    if (e.conditions !== undefined && !strings(e.conditions)) {
      errors.push(`${at}.conditions: expected a list of strings`);
      return;
    }
    groups.push({ context: ctx, statements: e.statements, conditions: (e.conditions as string[] | undefined) ?? [] });
  });
  return { groups, errors };
}
