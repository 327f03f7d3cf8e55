// The PromQL syntax tree. Every node carries its source range (UTF-16 offsets into the query).
import type { Matcher } from './queryable.js';
import { formatDuration } from './durations.js';
import { goQuote } from './labels.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Names as Prometheus writes them in messages. */
export const TYPE_NAMES: Record<ValueType, string> = { scalar: 'scalar', vector: 'instant vector', matrix: 'range vector', string: 'string' };

export interface Pos {
  readonly start: number;
  readonly end: number;
}

export type AtKind = 'start' | 'end';

export interface NumberLiteral extends Pos {
  readonly type: 'number';
  readonly value: number;
}

export interface StringLiteral extends Pos {
  readonly type: 'string';
  readonly value: string;
}

export interface VectorSelector extends Pos {
  readonly type: 'vectorSelector';
  /** The metric name written before the braces, if any. */
  readonly name: string | undefined;
  /** All matchers, the name as `__name__="..."` first when written before the braces. */
  readonly matchers: readonly Matcher[];
  offsetMs: number;
  /** `@ <time>` in ms; `@ start()`/`end()` are resolved per query into `atMs`. */
  atMs: number | undefined;
  atKind: AtKind | undefined;
}

export interface MatrixSelector extends Pos {
  readonly type: 'matrixSelector';
  readonly vs: VectorSelector;
  readonly rangeMs: number;
}

export interface SubqueryExpr extends Pos {
  readonly type: 'subquery';
  readonly expr: Expr;
  readonly rangeMs: number;
  /** 0: the engine's default subquery step. */
  readonly stepMs: number;
  offsetMs: number;
  atMs: number | undefined;
  atKind: AtKind | undefined;
}

export interface Call extends Pos {
  readonly type: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
}

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'group' | 'stddev' | 'stdvar' | 'topk' | 'bottomk' | 'quantile' | 'count_values';

export interface AggregateExpr extends Pos {
  readonly type: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly param: Expr | undefined;
  /** Sorted, de-duplicated. */
  readonly grouping: readonly string[];
  readonly without: boolean;
  /** `by`/`without` was written (even empty). */
  readonly hasGrouping: boolean;
}

export type ArithOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithOp | CompareOp | SetOp;

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  readonly card: Cardinality;
  /** `on(...)` (true) or `ignoring(...)`/nothing (false). */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** Labels of `group_left(...)` / `group_right(...)`. */
  readonly include: readonly string[];
  /** `on`/`ignoring` was written. */
  readonly explicit: boolean;
}

export interface BinaryExpr extends Pos {
  readonly type: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  /** Set when both sides are instant vectors. */
  readonly matching: VectorMatching | undefined;
}

export interface UnaryExpr extends Pos {
  readonly type: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
}

export interface ParenExpr extends Pos {
  readonly type: 'paren';
  readonly expr: Expr;
}

export type Expr = NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | SubqueryExpr | Call | AggregateExpr | BinaryExpr | UnaryExpr | ParenExpr;

export const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
export const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);

export function unwrapParens(e: Expr): Expr {
  while (e.type === 'paren') e = e.expr;
  return e;
}

/** The expression as Prometheus prints it (parser.Expr.String()). */
export function formatExpr(e: Expr): string {
  switch (e.type) {
    case 'number':
      return formatNumber(e.value);
    case 'string':
      return goQuote(e.value);
    case 'vectorSelector':
      return formatSelector(e) + modifiers(e);
    case 'matrixSelector':
      return `${formatSelector(e.vs)}[${formatDuration(e.rangeMs)}]${modifiers(e.vs)}`;
    case 'subquery':
      return `${formatExpr(e.expr)}[${formatDuration(e.rangeMs)}:${e.stepMs ? formatDuration(e.stepMs) : ''}]${modifiers(e)}`;
    case 'call':
      return `${e.func}(${e.args.map(formatExpr).join(', ')})`;
    case 'aggregate': {
      let s = e.op;
      if (e.hasGrouping) s += ` ${e.without ? 'without' : 'by'} (${e.grouping.join(', ')}) `;
      s += '(';
      if (e.param) s += `${formatExpr(e.param)}, `;
      return `${s}${formatExpr(e.expr)})`;
    }
    case 'binary': {
      let mod = e.returnBool ? ' bool' : '';
      const m = e.matching;
      if (m && (m.explicit || m.card === 'many-to-one' || m.card === 'one-to-many')) {
        mod += ` ${m.on ? 'on' : 'ignoring'}(${m.labels.join(', ')})`;
        if (m.card === 'many-to-one' || m.card === 'one-to-many') mod += ` ${m.card === 'many-to-one' ? 'group_left' : 'group_right'}(${m.include.join(', ')})`;
      }
      return `${formatExpr(e.lhs)} ${e.op}${mod} ${formatExpr(e.rhs)}`;
    }
    case 'unary':
      return `${e.op}${formatExpr(e.expr)}`;
    case 'paren':
      return `(${formatExpr(e.expr)})`;
  }
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatSelector(vs: VectorSelector): string {
  const ms = vs.matchers.filter((m) => !(vs.name !== undefined && m.name === '__name__' && m.type === '=' && m.value === vs.name));
  const inner = ms.map((m) => `${m.name}${m.type}${goQuote(m.value)}`).join(', ');
  if (vs.name !== undefined) return inner ? `${vs.name}{${inner}}` : vs.name;
  return `{${inner}}`;
}

function modifiers(x: { offsetMs: number; atMs: number | undefined; atKind: AtKind | undefined }): string {
  let s = '';
  if (x.atKind) s += ` @ ${x.atKind}()`;
  else if (x.atMs !== undefined) s += ` @ ${(x.atMs / 1000).toFixed(3)}`;
  if (x.offsetMs > 0) s += ` offset ${formatDuration(x.offsetMs)}`;
  else if (x.offsetMs < 0) s += ` offset -${formatDuration(-x.offsetMs)}`;
  return s;
}
