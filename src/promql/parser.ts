// Recursive-descent PromQL parser with Prometheus' precedence (or < and/unless < comparisons <
// + - < * / % atan2 < unary < ^, `^` right-associative) and its type checks, so anything that
// is not valid PromQL, or that this engine refuses, fails here with a position.
import type { AggregateOp, AtKind, BinaryOp, Cardinality, Expr, Pos, ValueType, VectorMatching, VectorSelector } from './ast.js';
import { COMPARISON_OPS, SET_OPS, TYPE_NAMES, unwrapParens } from './ast.js';
import { ParseError } from './errors.js';
import { FUNCTIONS, REFUSED_FUNCTIONS } from './functions.js';
import { LABEL_NAME_RE } from './labels.js';
import { tokenize, type Token } from './lexer.js';
import type { Matcher, MatchType } from './queryable.js';
import { compileRegex, RegexError } from './regex.js';

const PREC: Record<string, number> = {
  or: 1, and: 2, unless: 2,
  '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3,
  '+': 4, '-': 4,
  '*': 5, '/': 5, '%': 5, atan2: 5,
  '^': 6,
};
const POW = 6;
const WORD_OPS = new Set(['and', 'or', 'unless', 'atan2']);
const AGG_OPS = new Set<AggregateOp>(['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values']);
const PARAM_AGGS = new Set<AggregateOp>(['topk', 'bottomk', 'quantile', 'count_values']);
const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);
/** Prometheus' bound for `@` timestamps (seconds that fit an int64 of milliseconds). */
const MAX_AT_SECONDS = 9223372036854775.807;

/**
 * Parses and type-checks a PromQL expression.
 * @throws ParseError with the offending offset, line and column.
 */
export function parseExpr(input: string): Expr {
  const p = new Parser(input);
  const e = p.parseExpr(0);
  const t = p.peek();
  if (t.kind !== 'eof') p.fail(t, `unexpected ${describe(t)}`);
  checkTypes(input, e);
  return e;
}

/** The value type of an expression. */
export function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case 'number': return 'scalar';
    case 'string': return 'string';
    case 'vectorSelector': return 'vector';
    case 'matrixSelector':
    case 'subquery': return 'matrix';
    case 'call': return FUNCTIONS.get(e.func)!.returns;
    case 'aggregate': return 'vector';
    case 'binary': return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren': return typeOf(e.expr);
  }
}

const KEYWORDS = new Set(['bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset']);
/** Words Prometheus' lexer makes keywords or operators that no expression can start with (unlike
 * `by`, `offset`, `sum` …, which its grammar also takes as metric names): how its errors name them. */
const NON_EXPR_WORDS = new Set(['bool', 'on', 'ignoring', 'group_left', 'group_right', 'atan2']);
const nonExprWord = (t: Token): string | undefined => (t.kind === 'ident' && NON_EXPR_WORDS.has(t.text.toLowerCase()) ? describe(t) : undefined);

function describe(t: Token): string {
  switch (t.kind) {
    case 'err': return t.str;
    case 'eof': return 'end of input';
    case 'num': return `number ${JSON.stringify(t.text)}`;
    case 'dur': return `duration ${JSON.stringify(t.text)}`;
    case 'str': return `string ${t.text}`;
    case 'ident': return KEYWORDS.has(t.text.toLowerCase()) ? `<${t.text}>` : t.text.toLowerCase() === 'atan2' ? `<op:${t.text}>` : `identifier ${JSON.stringify(t.text)}`;
    case 'op': return t.text === ')' ? "right parenthesis ')'" : JSON.stringify(t.text);
  }
}

class Parser {
  private readonly toks: Token[];
  private i = 0;
  private readonly offsetSet = new WeakSet<object>();
  constructor(private readonly input: string) {
    this.toks = tokenize(input);
  }

  peek(k = 0): Token {
    const t = this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
    if (t.kind === 'err' && k === 0) throw new ParseError(this.input, t.start, t.end, t.str);
    return t;
  }
  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  /** A duration token's value, or the error for one that is not a valid duration. */
  private duration(d: Token): number {
    if (Number.isNaN(d.num)) this.fail(d, d.str);
    return d.num;
  }
  private isOp(t: Token, op: string): boolean {
    return t.kind === 'op' && t.text === op;
  }
  private isWord(t: Token, w: string): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === w;
  }
  fail(at: Pos | Token, msg: string, unsupported = false): never {
    throw new ParseError(this.input, at.start, at.end, msg, unsupported);
  }
  private expectOp(op: string, ctx: string): Token {
    const t = this.peek();
    if (!this.isOp(t, op)) this.fail(t, `unexpected ${describe(t)} ${ctx}, expected ${JSON.stringify(op)}`);
    return this.next();
  }

  private binaryOp(t: Token): string | undefined {
    if (t.kind === 'op' && PREC[t.text] !== undefined) return t.text;
    if (t.kind === 'ident' && WORD_OPS.has(t.text.toLowerCase())) return t.text.toLowerCase();
    return undefined;
  }

  parseExpr(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const t = this.peek();
      const op = this.binaryOp(t);
      if (op === undefined) return lhs;
      const prec = PREC[op]!;
      if (prec < minPrec) return lhs;
      this.next();
      const mods = this.parseBinModifiers();
      const rhs = this.parseExpr(op === '^' ? prec : prec + 1);
      lhs = this.makeBinary(op as BinaryOp, lhs, rhs, mods, t);
    }
  }

  private parseBinModifiers(): { returnBool: boolean; on?: boolean; labels: string[]; card?: Cardinality; include: string[] } {
    const m: { returnBool: boolean; on?: boolean; labels: string[]; card?: Cardinality; include: string[] } = { returnBool: false, labels: [], include: [] };
    if (this.isWord(this.peek(), 'bool')) {
      this.next();
      m.returnBool = true;
    }
    const t = this.peek();
    if (this.isWord(t, 'on') || this.isWord(t, 'ignoring')) {
      this.next();
      m.on = t.text.toLowerCase() === 'on';
      m.labels = this.parseLabelList('grouping opts');
      const g = this.peek();
      if (this.isWord(g, 'group_left') || this.isWord(g, 'group_right')) {
        this.next();
        m.card = g.text.toLowerCase() === 'group_left' ? 'many-to-one' : 'one-to-many';
        const w = nonExprWord(this.peek());
        if (w) this.fail(this.peek(), `unexpected ${w} in grouping opts, expected "("`);
        if (this.isOp(this.peek(), '(')) m.include = this.parseLabelList('grouping opts');
      }
    } else if (this.isWord(t, 'group_left') || this.isWord(t, 'group_right')) {
      this.fail(t, `unexpected ${describe(t)}: ${t.text.toLowerCase()} must follow on(...) or ignoring(...)`);
    }
    return m;
  }

  private makeBinary(op: BinaryOp, lhs: Expr, rhs: Expr, m: ReturnType<Parser['parseBinModifiers']>, opTok: Token): Expr {
    let matching: VectorMatching | undefined;
    let card: Cardinality = m.card ?? 'one-to-one';
    if (SET_OPS.has(op) && card === 'one-to-one') card = 'many-to-many';
    matching = { card, on: m.on ?? false, labels: dedupe(m.labels), include: dedupe(m.include), explicit: m.on !== undefined };
    const e = { type: 'binary' as const, op, lhs, rhs, returnBool: m.returnBool, matching, start: lhs.start, end: rhs.end };
    // Where the operator stands, for messages about it.
    (e as { opStart?: number }).opStart = opTok.start;
    return e;
  }

  private parseLabelList(ctx: string): string[] {
    this.expectOp('(', `in ${ctx}`);
    const out: string[] = [];
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, ')')) {
        this.next();
        return out;
      }
      if (t.kind !== 'ident' || !LABEL_NAME_RE.test(t.text)) this.fail(t, `unexpected ${describe(t)} in ${ctx}, expected label`);
      this.next();
      out.push(t.text);
      const sep = this.peek();
      if (this.isOp(sep, ',')) this.next();
      else if (!this.isOp(sep, ')')) this.fail(sep, `unexpected ${describe(sep)} in ${ctx}, expected "," or ")"`);
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-') || this.isOp(t, '+')) {
      this.next();
      const operand = this.parseExpr(POW);
      if (operand.type === 'number') return { type: 'number', value: t.text === '-' ? -operand.value : operand.value, start: t.start, end: operand.end };
      return { type: 'unary', op: t.text as '-' | '+', expr: operand, start: t.start, end: operand.end };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '[')) e = this.parseRangeOrSubquery(e);
      else if (this.isWord(t, 'offset')) e = this.parseOffset(e);
      else if (this.isOp(t, '@')) e = this.parseAt(e);
      else return e;
    }
  }

  private parseRangeOrSubquery(e: Expr): Expr {
    this.next();
    const d = this.peek();
    if (d.kind === 'num') this.fail(d, 'missing unit character in duration');
    if (d.kind !== 'dur') this.fail(d, `unexpected ${describe(d)} in ${this.isOp(this.peek(1), ':') ? 'subquery selector' : 'range'}, expected duration`);
    this.next();
    const rangeMs = this.duration(d);
    if (this.isOp(this.peek(), ':')) {
      this.next();
      let stepMs = 0;
      const s = this.peek();
      if (s.kind === 'dur') {
        this.next();
        stepMs = this.duration(s);
        if (stepMs === 0) this.fail(s, 'zero step is not allowed in a subquery');
      } else if (!this.isOp(s, ']')) this.fail(s, `unexpected ${describe(s)} in subquery selector, expected duration or "]"`);
      const close = this.expectOp(']', 'in subquery selector');
      if (rangeMs === 0) this.fail(d, 'zero range is not allowed in a subquery');
      return { type: 'subquery', expr: e, rangeMs, stepMs, offsetMs: 0, atMs: undefined, atKind: undefined, start: e.start, end: close.end };
    }
    const close = this.expectOp(']', 'in range');
    if (e.type !== 'vectorSelector') this.fail({ start: e.start, end: close.end }, 'ranges only allowed for vector selectors');
    if (this.offsetSet.has(e)) this.fail({ start: e.start, end: close.end }, 'no offset modifiers allowed before range');
    if (e.atMs !== undefined || e.atKind !== undefined) this.fail({ start: e.start, end: close.end }, 'no @ modifiers allowed before range');
    return { type: 'matrixSelector', vs: e, rangeMs, start: e.start, end: close.end };
  }

  /** The node that takes `offset`/`@`: a selector or a subquery. */
  private modTarget(e: Expr, what: string): VectorSelector | Extract<Expr, { type: 'subquery' }> {
    if (e.type === 'vectorSelector' || e.type === 'subquery') return e;
    if (e.type === 'matrixSelector') return e.vs;
    return this.fail(e, `${what} modifier must be preceded by an instant vector selector or range vector selector or a subquery`);
  }

  private parseOffset(e: Expr): Expr {
    this.next();
    const target = this.modTarget(e, 'offset');
    let neg = false;
    if (this.isOp(this.peek(), '-')) {
      this.next();
      neg = true;
    }
    const d = this.peek();
    if (d.kind === 'num') this.fail(d, 'missing unit character in duration');
    if (d.kind !== 'dur') this.fail(d, `unexpected ${describe(d)} in offset, expected duration`);
    this.next();
    const ms = this.duration(d);
    if (this.offsetSet.has(target)) this.fail({ start: e.start, end: d.end }, 'offset may not be set multiple times');
    this.offsetSet.add(target);
    target.offsetMs = neg ? -ms : ms;
    (e as { end: number }).end = d.end;
    return e;
  }

  private parseAt(e: Expr): Expr {
    const at = this.next();
    const target = this.modTarget(e, '@');
    let kind: AtKind | undefined;
    let ms: number | undefined;
    let end: number;
    const t = this.peek();
    if (this.isWord(t, 'start') || this.isWord(t, 'end')) {
      this.next();
      this.expectOp('(', 'in @ modifier');
      end = this.expectOp(')', 'in @ modifier').end;
      kind = t.text.toLowerCase() as AtKind;
    } else {
      let sign = 1;
      const s = this.peek();
      if (this.isOp(s, '-') || this.isOp(s, '+')) {
        this.next();
        if (s.text === '-') sign = -1;
      }
      const n = this.peek();
      let v: number;
      if (n.kind === 'num') v = n.num;
      else if (n.kind === 'ident' && (n.text.toLowerCase() === 'inf' || n.text.toLowerCase() === 'nan')) v = n.text.toLowerCase() === 'inf' ? Infinity : NaN;
      else return this.fail(n, `unexpected ${describe(n)} in @, expected timestamp`);
      this.next();
      v *= sign;
      end = n.end;
      if (!Number.isFinite(v) || Math.abs(v) >= MAX_AT_SECONDS) this.fail({ start: at.start, end }, `timestamp out of bounds for @ modifier: ${v}`);
      ms = Math.round(v * 1000);
    }
    if (target.atMs !== undefined || target.atKind !== undefined) this.fail({ start: e.start, end }, '@ <timestamp> may not be set multiple times');
    target.atMs = ms;
    target.atKind = kind;
    (e as { end: number }).end = end;
    return e;
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'num':
        this.next();
        return { type: 'number', value: t.num, start: t.start, end: t.end };
      case 'str':
        this.next();
        return { type: 'string', value: t.str, start: t.start, end: t.end };
      case 'dur':
        return this.fail(t, `unexpected ${describe(t)}`);
      case 'err':
        return this.fail(t, t.str);
      case 'eof':
        return this.fail(t, 'unexpected end of input');
      case 'op':
        if (t.text === '(') {
          this.next();
          const inner = this.parseExpr(0);
          const close = this.peek();
          if (!this.isOp(close, ')')) this.fail(close, `unexpected ${describe(close)} in parenthesized expression, expected ")"`);
          this.next();
          return { type: 'paren', expr: inner, start: t.start, end: close.end };
        }
        if (t.text === '{') return this.parseSelector(undefined, t);
        return this.fail(t, `unexpected ${describe(t)}`);
      case 'ident': {
        const w = nonExprWord(t);
        if (w) this.fail(t, `unexpected ${w}`);
        break;
      }
    }
    const word = t.text.toLowerCase();
    const after = this.peek(1);
    if (word === 'inf' || word === 'nan') {
      this.next();
      return { type: 'number', value: word === 'inf' ? Infinity : NaN, start: t.start, end: t.end };
    }
    if (AGG_OPS.has(word as AggregateOp) && (this.isOp(after, '(') || this.isWord(after, 'by') || this.isWord(after, 'without'))) return this.parseAggregate(word as AggregateOp);
    if (this.isOp(after, '(')) return this.parseCall();
    this.next();
    return this.parseSelector(t.text, t);
  }

  private parseSelector(name: string | undefined, first: Token): VectorSelector {
    const matchers: Matcher[] = [];
    let end = first.end;
    if (this.isOp(this.peek(), '{')) {
      this.next();
      for (;;) {
        const t = this.peek();
        if (this.isOp(t, '}')) {
          end = this.next().end;
          break;
        }
        if (t.kind !== 'ident') this.fail(t, `unexpected ${describe(t)} in label matching, expected identifier or "}"`);
        this.next();
        const op = this.peek();
        if (op.kind !== 'op' || !MATCH_OPS.has(op.text)) this.fail(op, `unexpected ${describe(op)} in label matching, expected label matching operator`);
        this.next();
        const v = this.peek();
        if (v.kind !== 'str') this.fail(v, `unexpected ${describe(v)} in label matching, expected string`);
        this.next();
        const m: Matcher = { name: t.text, type: op.text as MatchType, value: v.str };
        if (m.type === '=~' || m.type === '!~') {
          try {
            compileRegex(m.value);
          } catch (err) {
            if (err instanceof RegexError) this.fail(t, err.unsupported ? `unsupported regular expression in label matcher: ${err.message}` : err.message, err.unsupported);
            throw err;
          }
        }
        if (name !== undefined && m.name === '__name__') this.fail({ start: first.start, end: v.end }, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(m.value)}`);
        matchers.push(m);
        const sep = this.peek();
        if (this.isOp(sep, ',')) this.next();
        else if (!this.isOp(sep, '}')) this.fail(sep, `unexpected ${describe(sep)} in label matching, expected "," or "}"`);
      }
    }
    if (name !== undefined) matchers.unshift({ name: '__name__', type: '=', value: name });
    const pos = { start: first.start, end };
    if (!matchers.some((m) => !matchesEmpty(m))) this.fail(pos, 'vector selector must contain at least one non-empty matcher');
    return { type: 'vectorSelector', name, matchers, offsetMs: 0, atMs: undefined, atKind: undefined, ...pos };
  }

  private parseCall(): Expr {
    const nameTok = this.next();
    const name = nameTok.text;
    const refused = REFUSED_FUNCTIONS.get(name);
    if (refused) this.fail(nameTok, `function ${JSON.stringify(name)} is not supported: ${refused}`, true);
    if (!FUNCTIONS.has(name)) this.fail(nameTok, `unknown function with name ${JSON.stringify(name)}`);
    const { args, end } = this.parseArgs('function call args', true);
    return { type: 'call', func: name, args, start: nameTok.start, end };
  }

  private parseArgs(ctx: string, noTrailingComma: boolean): { args: Expr[]; end: number } {
    this.expectOp('(', `in ${ctx}`);
    const args: Expr[] = [];
    if (this.isOp(this.peek(), ')')) return { args, end: this.next().end };
    // As Prometheus' grammar recovers: a keyword that starts no expression first in an
    // aggregation is named there; after a comma it reads as a trailing comma.
    const first = nonExprWord(this.peek());
    if (first && ctx === 'aggregation') this.fail(this.peek(), `unexpected ${first} in aggregation`);
    for (;;) {
      args.push(this.parseExpr(0));
      const t = this.peek();
      if (this.isOp(t, ',')) {
        this.next();
        if (nonExprWord(this.peek())) this.fail(t, 'trailing commas not allowed in function call args');
        if (this.isOp(this.peek(), ')')) {
          if (noTrailingComma) this.fail(t, `trailing commas not allowed in ${ctx}`);
          return { args, end: this.next().end };
        }
        continue;
      }
      if (this.isOp(t, ')')) return { args, end: this.next().end };
      this.fail(t, `unexpected ${describe(t)} in ${ctx}, expected "," or ")"`);
    }
  }

  private parseAggregate(op: AggregateOp): Expr {
    const opTok = this.next();
    let grouping: string[] = [];
    let without = false;
    let hasGrouping = false;
    const modifier = (): void => {
      const t = this.next();
      without = t.text.toLowerCase() === 'without';
      grouping = this.parseLabelList('grouping opts');
      hasGrouping = true;
    };
    if (this.isWord(this.peek(), 'by') || this.isWord(this.peek(), 'without')) modifier();
    const { args, end: argsEnd } = this.parseArgs('aggregation', true);
    let end = argsEnd;
    const t = this.peek();
    if (this.isWord(t, 'by') || this.isWord(t, 'without')) {
      if (hasGrouping) this.fail(t, `unexpected ${describe(t)}`);
      modifier();
      end = this.toks[this.i - 1]!.end;
    }
    const pos = { start: opTok.start, end };
    if (args.length === 0) this.fail(pos, 'no arguments for aggregate expression provided');
    const want = PARAM_AGGS.has(op) ? 2 : 1;
    if (args.length !== want) this.fail(pos, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
    return { type: 'aggregate', op, expr: args[want - 1]!, param: want === 2 ? args[0] : undefined, grouping: dedupe(grouping), without, hasGrouping, ...pos };
  }
}

function dedupe(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

export function matchesEmpty(m: Matcher): boolean {
  switch (m.type) {
    case '=': return m.value === '';
    case '!=': return m.value !== '';
    case '=~': return compileRegex(m.value).test('');
    case '!~': return !compileRegex(m.value).test('');
  }
}

/** Prometheus' checkAST: operand and argument types, modifiers that need vectors. */
function checkTypes(input: string, root: Expr): void {
  const fail = (at: Pos, msg: string, unsupported = false): never => {
    throw new ParseError(input, at.start, at.end, msg, unsupported);
  };
  const expect = (e: Expr, want: ValueType, ctx: string): void => {
    const got = typeOf(e);
    if (got !== want) fail(e, `expected type ${TYPE_NAMES[want]} in ${ctx}, got ${TYPE_NAMES[got]}`);
  };
  const walk = (e: Expr): void => {
    switch (e.type) {
      case 'number':
      case 'string':
      case 'vectorSelector':
      case 'matrixSelector':
        return;
      case 'paren':
        walk(e.expr);
        return;
      case 'unary': {
        walk(e.expr);
        const t = typeOf(e.expr);
        if (t !== 'scalar' && t !== 'vector') fail(e, `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(TYPE_NAMES[t])}`);
        return;
      }
      case 'subquery': {
        walk(e.expr);
        const t = typeOf(e.expr);
        if (t !== 'vector') fail(e, `subquery is only allowed on instant vector, got ${TYPE_NAMES[t]} instead`);
        return;
      }
      case 'aggregate':
        walk(e.expr);
        if (e.param) walk(e.param);
        expect(e.expr, 'vector', 'aggregation expression');
        if (e.param) expect(e.param, e.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
        if (e.op === 'count_values') {
          const p = unwrapParens(e.param!);
          if (p.type === 'string' && !LABEL_NAME_RE.test(p.value)) fail(p, `invalid label name ${JSON.stringify(p.value)}`);
        }
        return;
      case 'call': {
        for (const a of e.args) walk(a);
        checkCall(e, fail, expect);
        return;
      }
      case 'binary': {
        walk(e.lhs);
        walk(e.rhs);
        const opPos = { start: (e as { opStart?: number }).opStart ?? e.start, end: ((e as { opStart?: number }).opStart ?? e.start) + e.op.length };
        const lt = typeOf(e.lhs);
        const rt = typeOf(e.rhs);
        const m = e.matching!;
        if (e.returnBool && !COMPARISON_OPS.has(e.op)) fail(opPos, 'bool modifier can only be used on comparison operators');
        if (COMPARISON_OPS.has(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar') fail(opPos, 'comparisons between scalars must use BOOL modifier');
        if (m.on) for (const l of m.labels) if (m.include.includes(l)) fail(opPos, `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
        if (lt !== 'scalar' && lt !== 'vector') fail(e.lhs, 'binary expression must contain only scalar and instant vector types');
        if (rt !== 'scalar' && rt !== 'vector') fail(e.rhs, 'binary expression must contain only scalar and instant vector types');
        if (lt !== 'vector' || rt !== 'vector') {
          // As 2.42: only matching labels are an error with a scalar side; an empty on() or
          // ignoring() and group_left/group_right are accepted and mean nothing there.
          if (m.labels.length > 0) fail(e, 'vector matching only allowed between instant vectors');
          (e as { matching: VectorMatching | undefined }).matching = undefined;
        } else if (SET_OPS.has(e.op)) {
          if (m.card === 'many-to-one' || m.card === 'one-to-many') fail(e, `no grouping allowed for ${JSON.stringify(e.op)} operation`);
        }
        if ((lt === 'scalar' || rt === 'scalar') && SET_OPS.has(e.op)) fail(e, `set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`);
        return;
      }
    }
  };
  walk(root);
}

function checkCall(e: Extract<Expr, { type: 'call' }>, fail: (at: Pos, msg: string, unsupported?: boolean) => never, expect: (e: Expr, want: ValueType, ctx: string) => void): void {
  const sig = FUNCTIONS.get(e.func)!;
  const n = sig.args.length;
  if (sig.variadic === 0) {
    if (n !== e.args.length) fail(e, `expected ${n} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`);
  } else {
    const min = n - 1;
    if (min > e.args.length) fail(e, `expected at least ${min} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`);
    if (sig.variadic > 0 && min + sig.variadic < e.args.length) fail(e, `expected at most ${min + sig.variadic} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`);
  }
  e.args.forEach((a, i) => {
    if (i >= n) {
      if (sig.variadic === 0) return;
      i = n - 1;
    }
    expect(a, sig.args[i]!, `call to function ${JSON.stringify(e.func)}`);
  });
  if (e.func === 'label_replace' || e.func === 'label_join') {
    const str = (k: number): { s: string; at: Expr } | undefined => {
      const a = e.args[k] && unwrapParens(e.args[k]!);
      return a && a.type === 'string' ? { s: a.value, at: a } : undefined;
    };
    const dst = str(1);
    if (dst && !LABEL_NAME_RE.test(dst.s)) fail(dst.at, `invalid destination label name in ${e.func}(): ${dst.s}`);
    if (e.func === 'label_replace') {
      const re = str(4);
      if (re) {
        try {
          compileRegex(re.s);
        } catch (err) {
          if (err instanceof RegexError) fail(re.at, `${err.unsupported ? 'unsupported' : 'invalid'} regular expression in label_replace(): ${re.s}: ${err.message}`, err.unsupported);
          throw err;
        }
      }
    } else {
      for (let k = 3; k < e.args.length; k++) {
        const src = str(k);
        if (src && !LABEL_NAME_RE.test(src.s)) fail(src.at, `invalid source label name in label_join(): ${src.s}`);
      }
    }
  }
}
