import type { ConnectionIssue } from '../../src/component/component.js';
import { s, type Infer } from '../../src/config/schema.js';
import { compileCondition, type Condition, type ContextKind } from '../../src/processorhelper/expr-eval.js';
import { parseStatement } from '../../src/processorhelper/expr-parse.js';

const route = s.object({
  context: s.enum(['resource', 'span', 'metric', 'datapoint', 'log', 'request'] as const).default('resource').describe('what a route decides for: whole resources (default) or single items'),
  statement: s.string().optional().describe('`route() where <condition>` (OTTL)'),
  condition: s.string().optional().describe('an OTTL condition'),
  pipelines: s.array(s.string()).default([]).describe('pipelines that get what matches'),
});

export const configSchema = s.object({
  table: s.array(route).default([]).describe('routes, tried in order'),
  default_pipelines: s.array(s.string()).default([]).describe('pipelines for what no route matches (none: it is dropped and counted)'),
  error_mode: s.enum(['propagate', 'ignore', 'silent'] as const).default('propagate').describe('a condition that fails: refuse the batch, or route to the defaults (logged / not logged)'),
  match_once: s.boolean().default(true).describe('older Collector key: false sends what matches several routes to each of them'),
});

export type Config = Infer<typeof configSchema>;
export type Route = Config['table'][number];

/** The condition of a route: `condition`, or the where-clause of `route() where …` (none = always). */
export function routeCondition(r: Route): Condition {
  const kind: ContextKind = r.context === 'request' ? 'resource' : r.context;
  if (r.condition !== undefined) return compileCondition(kind, r.condition);
  const st = parseStatement(r.statement!);
  if (st.editor.name !== 'route' || st.editor.args.length > 0) throw new Error(`the statement must be route() [where <condition>], got ${st.editor.name}(…)`);
  const where = /\bwhere\b([\s\S]*)$/.exec(r.statement!);
  return where ? compileCondition(kind, where[1]!) : () => true;
}

export function validate(cfg: Config): string[] {
  const out: string[] = [];
  if (cfg.table.length === 0) out.push('table: the routing table is empty');
  cfg.table.forEach((r, i) => {
    const at = `table[${i}]`;
    if (r.statement === undefined && r.condition === undefined) out.push(`${at}: a route needs a condition or a statement`);
    else if (r.statement !== undefined && r.condition !== undefined) out.push(`${at}: a route has either a condition or a statement, not both`);
    else if (r.context === 'request')
      out.push(`${at}.context: "request" routes by client metadata (HTTP headers, gRPC metadata), which telemd's receivers do not pass on; route by resource attributes instead`);
    else
      try {
        routeCondition(r);
      } catch (err) {
        out.push(`${at}.${r.condition !== undefined ? 'condition' : 'statement'}: ${(err as Error).message}`);
      }
    if (r.pipelines.length === 0) out.push(`${at}.pipelines: a route needs at least one pipeline`);
  });
  return out;
}

const CONTEXTS: Record<string, readonly string[]> = {
  traces: ['resource', 'span'],
  metrics: ['resource', 'metric', 'datapoint'],
  logs: ['resource', 'log'],
};

/** Every pipeline named must be one this connector feeds, and each context must fit the signal. */
export function validateConnections(cfg: Config, feeds: readonly string[]): ConnectionIssue[] {
  const out: ConnectionIssue[] = [];
  const check = (id: string, path: (string | number)[]) => {
    if (!feeds.includes(id))
      out.push({ path, message: `pipeline "${id}" does not list this connector under its receivers (it feeds ${feeds.map((f) => `"${f}"`).join(', ') || 'no pipeline'})` });
  };
  cfg.default_pipelines.forEach((id, j) => check(id, ['default_pipelines', j]));
  const signal = feeds[0]?.split('/')[0];
  cfg.table.forEach((r, i) => {
    r.pipelines.forEach((id, j) => check(id, ['table', i, 'pipelines', j]));
    if (signal && r.context !== 'request' && !CONTEXTS[signal]?.includes(r.context))
      out.push({ path: ['table', i, 'context'], message: `context "${r.context}" does not exist for ${signal} (use ${CONTEXTS[signal]!.join(' or ')})` });
  });
  return out;
}
