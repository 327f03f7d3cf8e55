// Statement groups of the transform processor: the Collector's basic style (a list of statement
// strings, context inferred from the paths) and advanced style ({context, error_mode, conditions,
// statements}, context optional). Every statement is parsed and compiled here, so a refusal
// carries the position of the statement in the file and the column in the statement.
import type { ConnectionIssue } from '../../src/component/component.js';
import type { Signal } from '../../src/pdata/types.js';
import {
  compileAny,
  compileStatement,
  type CompileOptions,
  type Condition,
  type ContextKind,
  type Effect,
} from '../../src/processorhelper/expr-eval.js';
import { ExprError, parseCondition, parseStatement, type Node, type Statement } from '../../src/processorhelper/expr-parse.js';
import { inferContext, uses } from '../../src/processorhelper/ottl/infer.js';
import type { FunctionDef } from '../../src/processorhelper/ottl/functions.js';
import { CONVERTERS } from '../../src/processorhelper/ottl/converters.js';
import { EDITORS } from '../../src/processorhelper/ottl/editors.js';
import { ERROR_MODES, type Config, type ErrorMode } from './config.js';
import { METRIC_FUNCTIONS } from './metric-functions.js';

export const CONTEXTS: Record<Signal, ContextKind[]> = {
  traces: ['resource', 'scope', 'span', 'spanevent'],
  logs: ['resource', 'scope', 'log'],
  metrics: ['resource', 'scope', 'metric', 'datapoint'],
};
const ITEM: Record<Signal, ContextKind> = { traces: 'span', logs: 'log', metrics: 'datapoint' };
export const FIELD: Record<Signal, 'trace_statements' | 'log_statements' | 'metric_statements'> = {
  traces: 'trace_statements',
  logs: 'log_statements',
  metrics: 'metric_statements',
};

/** The functions the transform processor adds for each signal. */
export function extraFunctions(signal: Signal): FunctionDef[] {
  return signal === 'metrics' ? METRIC_FUNCTIONS : [];
}

export interface CompiledStatement {
  src: string;
  run: Effect;
}

export interface CompiledGroup {
  context: ContextKind;
  statements: CompiledStatement[];
  condition?: Condition;
  errorMode: ErrorMode;
  /** Whether a statement uses `cache` (one map per item shared by the group's statements). */
  cache: boolean;
}

type Path = (string | number)[];
interface Parsed {
  src: string;
  ast: Statement;
  path: Path;
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function exprIssue(path: Path, src: string, e: unknown): ConnectionIssue {
  const msg = e instanceof ExprError || e instanceof Error ? e.message : String(e);
  return { path, message: `${msg}: ${src}` };
}

/** Parse, infer and compile every group of a signal; problems are returned with their paths. */
export function buildGroups(cfg: Config, signal: Signal): { groups: CompiledGroup[]; errors: ConnectionIssue[] } {
  const field = FIELD[signal];
  const fnList = [...CONVERTERS, ...EDITORS, ...extraFunctions(signal)];
  const fns = new Map(fnList.map((f) => [f.name, f]));
  const opts: CompileOptions = { functions: extraFunctions(signal) };
  const groups: CompiledGroup[] = [];
  const errors: ConnectionIssue[] = [];

  const parseAll = (items: { src: string; path: Path }[]): Parsed[] | undefined => {
    let ok = true;
    const out: Parsed[] = [];
    for (const it of items)
      try {
        out.push({ ...it, ast: parseStatement(it.src) });
      } catch (e) {
        ok = false;
        errors.push(exprIssue(it.path, it.src, e));
      }
    return ok ? out : undefined;
  };

  /** Compile a group in a context; undefined with the problems when something does not fit. */
  const compile = (
    context: ContextKind,
    sts: Parsed[],
    conds: { src: string; path: Path; ast: Node }[],
    errorMode: ErrorMode,
    problems: ConnectionIssue[],
  ): CompiledGroup | undefined => {
    const out: CompiledStatement[] = [];
    for (const st of sts)
      try {
        out.push({ src: st.src, run: compileStatement(context, st.ast, opts) });
      } catch (e) {
        problems.push(exprIssue(st.path, st.src, e));
      }
    let condition: Condition | undefined;
    for (const c of conds)
      try {
        compileAny(context, [c.src], opts);
      } catch (e) {
        problems.push(exprIssue(c.path, c.src, e));
      }
    if (problems.length) return undefined;
    condition = compileAny(context, conds.map((c) => c.src), opts);
    return { context, statements: out, condition, errorMode, cache: uses(sts.map((s) => s.ast)).cache };
  };

  const infer = (sts: Parsed[], conds: Node[]): ContextKind | string => {
    const ctx = inferContext(CONTEXTS[signal], ITEM[signal], uses(sts.map((s) => s.ast), conds), fns);
    return typeof ctx === 'string' ? ctx : `cannot infer the context: ${ctx.problem}`;
  };

  /** A run of plain statement strings: one group if one context fits them all, else one each. */
  const flat = (run: { src: string; path: Path }[]): void => {
    const parsed = parseAll(run);
    if (!parsed) return;
    const whole = infer(parsed, []);
    const problems: ConnectionIssue[] = [];
    const g = CONTEXTS[signal].includes(whole as ContextKind) ? compile(whole as ContextKind, parsed, [], cfg.error_mode, problems) : undefined;
    if (g) {
      groups.push(g);
      return;
    }
    if (uses(parsed.map((p) => p.ast)).cache) {
      errors.push(...(problems.length ? problems : [{ path: run[0]!.path, message: whole }]));
      return;
    }
    // Older configs mix contexts in one list: each statement in the context it needs.
    for (const p of parsed) {
      const ctx = infer([p], []);
      if (!CONTEXTS[signal].includes(ctx as ContextKind)) {
        errors.push({ path: p.path, message: `${ctx}: ${p.src}` });
        continue;
      }
      const one = compile(ctx as ContextKind, [p], [], cfg.error_mode, errors);
      if (one) groups.push(one);
    }
  };

  let run: { src: string; path: Path }[] = [];
  cfg[field].forEach((entry, i) => {
    if (typeof entry === 'string') {
      run.push({ src: entry, path: [field, i] });
      return;
    }
    if (run.length) flat(run);
    run = [];
    const at: Path = [field, i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      errors.push({ path: at, message: 'expected a statement string or a map with statements (and optionally context, conditions, error_mode)' });
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e))
      if (!['context', 'statements', 'conditions', 'error_mode'].includes(k))
        errors.push({ path: [...at, k], message: `unknown key "${k}" (a group has context, error_mode, conditions and statements)` });
    if (!strings(e.statements) || e.statements.length === 0) {
      errors.push({ path: [...at, 'statements'], message: 'expected a non-empty list of statement strings' });
      return;
    }
    if (e.conditions !== undefined && !strings(e.conditions)) {
      errors.push({ path: [...at, 'conditions'], message: 'expected a list of condition strings' });
      return;
    }
    const errorMode = (e.error_mode ?? cfg.error_mode) as ErrorMode;
    if (!ERROR_MODES.includes(errorMode)) {
      errors.push({ path: [...at, 'error_mode'], message: `must be one of ${ERROR_MODES.join(', ')}` });
      return;
    }
    const sts = parseAll(e.statements.map((src, j) => ({ src, path: [...at, 'statements', j] })));
    const conds: { src: string; path: Path; ast: Node }[] = [];
    ((e.conditions as string[] | undefined) ?? []).forEach((src, j) => {
      try {
        conds.push({ src, path: [...at, 'conditions', j], ast: parseCondition(src) });
      } catch (err) {
        errors.push(exprIssue([...at, 'conditions', j], src, err));
      }
    });
    if (!sts || conds.length !== ((e.conditions as string[] | undefined) ?? []).length) return;
    let ctx: ContextKind;
    if (e.context !== undefined) {
      if (!CONTEXTS[signal].includes(e.context as ContextKind)) {
        errors.push({ path: [...at, 'context'], message: `must be one of ${CONTEXTS[signal].join(', ')}, got ${JSON.stringify(e.context)}` });
        return;
      }
      ctx = e.context as ContextKind;
    } else {
      const inferred = infer(sts, conds.map((c) => c.ast));
      if (!CONTEXTS[signal].includes(inferred as ContextKind)) {
        errors.push({ path: at, message: inferred });
        return;
      }
      ctx = inferred as ContextKind;
    }
    const g = compile(ctx, sts, conds, errorMode, errors);
    if (g) groups.push(g);
  });
  if (run.length) flat(run);
  return { groups, errors };
}
