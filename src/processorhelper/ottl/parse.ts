// OTTL grammar (the Collector's pkg/ottl LANGUAGE.md): statements `editor(args) where cond`,
// conditions, values (literals, bytes 0x…, paths with keys, converters with keys, enums, lists,
// maps, math with + - * /), named arguments. Every node keeps the column it starts at, so a
// refusal names the place in the statement.

export type Lit = string | number | bigint | boolean | null | Uint8Array;

export type Key = { t: 'str'; v: string } | { t: 'int'; v: number } | { t: 'expr'; x: Node };

export interface Arg {
  name?: string;
  value: Node;
  pos: number;
}

export type Node =
  | { t: 'lit'; v: Lit; pos: number }
  | { t: 'enum'; name: string; pos: number }
  | { t: 'path'; parts: string[]; keys: Key[]; pos: number }
  | { t: 'call'; name: string; args: Arg[]; keys: Key[]; pos: number }
  | { t: 'list'; items: Node[]; pos: number }
  | { t: 'map'; entries: [string, Node][]; pos: number }
  | { t: 'math'; op: MathOp; l: Node; r: Node; pos: number }
  | { t: 'cmp'; op: CmpOp; l: Node; r: Node; pos: number }
  | { t: 'and' | 'or'; items: Node[]; pos: number }
  | { t: 'not'; x: Node; pos: number };

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type MathOp = '+' | '-' | '*' | '/';

export interface Statement {
  editor: { name: string; args: Arg[]; pos: number };
  where?: Node;
}

type Tok =
  | { k: 'str'; v: string; pos: number }
  | { k: 'num'; v: number | bigint; pos: number }
  | { k: 'bytes'; v: Uint8Array; pos: number }
  | { k: 'id'; v: string; pos: number }
  | { k: 'op'; v: string; pos: number }
  | { k: 'eof'; v: ''; pos: number };

/** A statement or condition that does not parse or compile; `pos` is 0-based. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly pos?: number,
  ) {
    super(pos === undefined ? message : `${message} (at column ${pos + 1})`);
  }
}

const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v', "'": "'" };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const valueEnd = (): boolean => {
    const p = out[out.length - 1];
    return !!p && (p.k === 'str' || p.k === 'num' || p.k === 'bytes' || p.k === 'id' || (p.k === 'op' && [')', ']', '}'].includes(p.v)));
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const pos = i;
    if (c === '"') {
      let v = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) {
          const n = src[i + 1]!;
          if (ESC[n] !== undefined) {
            v += ESC[n];
            i += 2;
          } else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(src.slice(i + 2, i + 4))) {
            v += String.fromCharCode(parseInt(src.slice(i + 2, i + 4), 16));
            i += 4;
          } else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            v += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            // A regex escape such as \w or \d written with one backslash: kept as written.
            v += '\\' + n;
            i += 2;
          }
        } else v += src[i++];
      }
      if (i >= src.length) throw new ExprError('unterminated string', pos);
      i++;
      out.push({ k: 'str', v, pos });
      continue;
    }
    const bytes = /^0x([0-9a-fA-F]*)/.exec(src.slice(i));
    if (bytes) {
      if (bytes[1]!.length % 2 !== 0) throw new ExprError('a byte literal needs an even number of hex digits', pos);
      out.push({ k: 'bytes', v: Uint8Array.from(Buffer.from(bytes[1]!, 'hex')), pos });
      i += bytes[0].length;
      continue;
    }
    // A sign belongs to the number unless it follows a value (then it is an operator).
    const num = /^[-+]?(\d*\.\d+|\d+\.?\d*)([eE][-+]?\d+)?/.exec(src.slice(i));
    if (num && (/\d|\./.test(c) || !valueEnd())) {
      const text = num[0];
      const isFloat = /[.eE]/.test(text);
      out.push({ k: 'num', v: isFloat ? Number(text) : BigInt(text.replace(/^\+/, '')), pos });
      i += text.length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0], pos });
      i += id[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|=>|<|>|=|\(|\)|\[|\]|\{|\}|,|\.|:|\+|-|\*|\/)/.exec(src.slice(i));
    if (op) {
      out.push({ k: 'op', v: op[0], pos });
      i += op[0].length;
      continue;
    }
    throw new ExprError(`unexpected character ${JSON.stringify(c)}`, pos);
  }
  out.push({ k: 'eof', v: '', pos: src.length });
  return out;
}

const CMP = new Set(['==', '!=', '<', '<=', '>', '>=']);

class Parser {
  i = 0;
  constructor(private readonly toks: Tok[]) {}

  peek(k = 0): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  next(): Tok {
    return this.toks[this.i++]!;
  }
  isOp(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t.k === 'op' && t.v === v;
  }
  isWord(v: string): boolean {
    const t = this.peek();
    return t.k === 'id' && t.v === v;
  }
  expectOp(v: string): Tok {
    const t = this.next();
    if (t.k !== 'op' || t.v !== v) throw new ExprError(`expected "${v}", got ${describe(t)}`, t.pos);
    return t;
  }
  end(): void {
    const t = this.peek();
    if (t.k !== 'eof') throw new ExprError(`unexpected ${describe(t)}`, t.pos);
  }

  condition(): Node {
    const pos = this.peek().pos;
    const items = [this.andExpr()];
    while (this.isWord('or')) {
      this.next();
      items.push(this.andExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'or', items, pos };
  }
  private andExpr(): Node {
    const pos = this.peek().pos;
    const items = [this.notExpr()];
    while (this.isWord('and')) {
      this.next();
      items.push(this.notExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'and', items, pos };
  }
  private notExpr(): Node {
    const pos = this.peek().pos;
    if (this.isWord('not')) {
      this.next();
      return { t: 'not', x: this.notExpr(), pos };
    }
    // `(` opens either a math group or a boolean group: try the value reading first.
    const save = this.i;
    let first: ExprError | undefined;
    try {
      const l = this.math();
      const t = this.peek();
      if (t.k === 'op' && CMP.has(t.v)) {
        this.next();
        return { t: 'cmp', op: t.v as CmpOp, l, r: this.math(), pos };
      }
      if (this.atBoolEnd()) return l;
      first = new ExprError(`unexpected ${describe(t)}`, t.pos);
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      first = e;
    }
    this.i = save;
    if (this.isOp('(')) {
      this.next();
      const c = this.condition();
      this.expectOp(')');
      return c;
    }
    throw first;
  }
  private atBoolEnd(): boolean {
    const t = this.peek();
    return t.k === 'eof' || (t.k === 'id' && (t.v === 'and' || t.v === 'or')) || (t.k === 'op' && (t.v === ')' || t.v === ','));
  }

  /** A value with + - * / (left to right, * and / first). */
  math(): Node {
    let l = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next();
      l = { t: 'math', op: op.v as MathOp, l, r: this.term(), pos: op.pos };
    }
    return l;
  }
  private term(): Node {
    let l = this.factor();
    while (this.isOp('*') || this.isOp('/')) {
      const op = this.next();
      l = { t: 'math', op: op.v as MathOp, l, r: this.factor(), pos: op.pos };
    }
    return l;
  }
  private factor(): Node {
    if (this.isOp('(')) {
      this.next();
      const v = this.math();
      this.expectOp(')');
      return v;
    }
    return this.value();
  }

  value(): Node {
    const t = this.next();
    const pos = t.pos;
    if (t.k === 'str' || t.k === 'num' || t.k === 'bytes') return { t: 'lit', v: t.v, pos };
    if (t.k === 'op' && t.v === '[') return { t: 'list', items: this.values(']'), pos };
    if (t.k === 'op' && t.v === '{') return this.mapValue(pos);
    if (t.k !== 'id') throw new ExprError(`expected a value, got ${describe(t)}`, pos);
    if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true', pos };
    if (t.v === 'nil') return { t: 'lit', v: null, pos };
    if (this.isOp('(')) {
      this.next();
      const args = this.args();
      return { t: 'call', name: t.v, args, keys: this.keys(), pos };
    }
    if (/^[A-Z][A-Z0-9_]*$/.test(t.v)) return { t: 'enum', name: t.v, pos };
    const parts = [t.v];
    while (this.isOp('.')) {
      this.next();
      const p = this.next();
      if (p.k !== 'id') throw new ExprError(`expected a field name after ".", got ${describe(p)}`, p.pos);
      parts.push(p.v);
    }
    return { t: 'path', parts, keys: this.keys(), pos };
  }

  private keys(): Key[] {
    const keys: Key[] = [];
    while (this.isOp('[')) {
      this.next();
      const k = this.peek();
      if (k.k === 'str' && this.isOp(']', 1)) {
        this.next();
        keys.push({ t: 'str', v: k.v });
      } else if (k.k === 'num' && typeof k.v === 'bigint' && this.isOp(']', 1)) {
        this.next();
        keys.push({ t: 'int', v: Number(k.v) });
      } else keys.push({ t: 'expr', x: this.math() });
      this.expectOp(']');
    }
    return keys;
  }

  private mapValue(pos: number): Node {
    const entries: [string, Node][] = [];
    if (!this.isOp('}')) {
      for (;;) {
        const k = this.next();
        if (k.k !== 'str') throw new ExprError(`a map key must be a quoted string, got ${describe(k)}`, k.pos);
        this.expectOp(':');
        entries.push([k.v, this.math()]);
        if (!this.isOp(',')) break;
        this.next();
      }
    }
    this.expectOp('}');
    return { t: 'map', entries, pos };
  }

  /** Comma-separated values up to and including the closing `close`. */
  private values(close: string): Node[] {
    const items: Node[] = [];
    if (!this.isOp(close)) {
      items.push(this.math());
      while (this.isOp(',')) {
        this.next();
        items.push(this.math());
      }
    }
    this.expectOp(close);
    return items;
  }

  /** Function arguments: positional first, then `name = value`. */
  private args(): Arg[] {
    const out: Arg[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        const t = this.peek();
        if (t.k === 'id' && this.isOp('=', 1)) {
          this.next();
          this.next();
          out.push({ name: t.v, value: this.argValue(), pos: t.pos });
        } else {
          if (out.some((a) => a.name)) throw new ExprError('positional arguments must come before named ones', t.pos);
          out.push({ value: this.argValue(), pos: t.pos });
        }
        if (!this.isOp(',')) break;
        this.next();
      }
    }
    this.expectOp(')');
    return out;
  }

  /** `(a, b) => …` or `() => …` ahead. */
  private lambdaAhead(): boolean {
    if (!this.isOp('(')) return false;
    let k = 1;
    while (this.peek(k).k === 'id' || this.isOp(',', k)) k++;
    return this.isOp(')', k) && this.isOp('=>', k + 1);
  }

  /** An argument is a value, or a condition (`where`-style) for the few functions that take one. */
  private argValue(): Node {
    if (this.lambdaAhead())
      throw new ExprError('lambda expressions are alpha in the Collector (feature gate ottl.functions.enableLambda) and not supported', this.peek().pos);
    const save = this.i;
    const v = this.math();
    const t = this.peek();
    if ((t.k === 'op' && CMP.has(t.v)) || (t.k === 'id' && (t.v === 'and' || t.v === 'or'))) {
      this.i = save;
      return this.condition();
    }
    return v;
  }

  statement(): Statement {
    const t = this.peek();
    const call = this.value();
    if (call.t !== 'call') throw new ExprError('a statement must start with an editor call like set(...)', t.pos);
    if (call.keys.length > 0) throw new ExprError('an editor call cannot be indexed', t.pos);
    let where: Node | undefined;
    if (this.isWord('where')) {
      this.next();
      where = this.condition();
    }
    this.end();
    return { editor: { name: call.name, args: call.args, pos: call.pos }, where };
  }
}

function describe(t: Tok): string {
  if (t.k === 'eof') return 'end of input';
  if (t.k === 'bytes') return 'a byte literal';
  return JSON.stringify(String(t.v));
}

export function parseCondition(src: string): Node {
  const p = new Parser(tokenize(src));
  const n = p.condition();
  p.end();
  return n;
}

export function parseStatement(src: string): Statement {
  return new Parser(tokenize(src)).statement();
}

/** A standalone value expression (used by tests and by components that take one). */
export function parseValue(src: string): Node {
  const p = new Parser(tokenize(src));
  const n = p.math();
  p.end();
  return n;
}
