// Parser for a small subset of OTTL: boolean conditions (`attributes["k"] == "v" and not
// IsMatch(name, "^GET")`) and editor statements (`set(attributes["x"], "y") where ...`).
// Conditions written for the Collector's filter/transform processors run unchanged as long as
// they stay inside this subset; anything else is a config error naming the unsupported part.

export type Node =
  | { t: 'lit'; v: string | number | bigint | boolean | null }
  | { t: 'enum'; name: string }
  | { t: 'path'; parts: string[]; keys: string[] }
  | { t: 'call'; name: string; args: Node[] }
  | { t: 'list'; items: Node[] }
  | { t: 'cmp'; op: CmpOp; l: Node; r: Node }
  | { t: 'and' | 'or'; items: Node[] }
  | { t: 'not'; x: Node };

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Statement {
  editor: { name: string; args: Node[] };
  where?: Node;
}

type Tok =
  | { k: 'str'; v: string; pos: number }
  | { k: 'num'; v: number | bigint; pos: number }
  | { k: 'id'; v: string; pos: number }
  | { k: 'op'; v: string; pos: number }
  | { k: 'eof'; v: ''; pos: number };

export class ExprError extends Error {}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
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
          v += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          i += 2;
        } else v += src[i++];
      }
      if (i >= src.length) throw new ExprError(`unterminated string at column ${pos + 1}`);
      i++;
      out.push({ k: 'str', v, pos });
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(src.slice(i));
    if (num && (c !== '-' || /\d/.test(src[i + 1] ?? ''))) {
      const text = num[0];
      out.push({ k: 'num', v: num[1] || num[2] ? Number(text) : BigInt(text), pos });
      i += text.length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0], pos });
      i += id[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\.)/.exec(src.slice(i));
    if (op) {
      out.push({ k: 'op', v: op[0], pos });
      i += op[0].length;
      continue;
    }
    throw new ExprError(`unexpected character ${JSON.stringify(c)} at column ${pos + 1}`);
  }
  out.push({ k: 'eof', v: '', pos: src.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t.k === 'id' && t.v === v;
  }
  private expectOp(v: string): void {
    const t = this.next();
    if (t.k !== 'op' || t.v !== v) throw new ExprError(`expected "${v}" at column ${t.pos + 1}, got ${describe(t)}`);
  }
  end(): void {
    const t = this.peek();
    if (t.k !== 'eof') throw new ExprError(`unexpected ${describe(t)} at column ${t.pos + 1}`);
  }

  condition(): Node {
    const items = [this.andExpr()];
    while (this.isWord('or')) {
      this.next();
      items.push(this.andExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'or', items };
  }
  private andExpr(): Node {
    const items = [this.notExpr()];
    while (this.isWord('and')) {
      this.next();
      items.push(this.notExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'and', items };
  }
  private notExpr(): Node {
    if (this.isWord('not')) {
      this.next();
      return { t: 'not', x: this.notExpr() };
    }
    if (this.isOp('(')) {
      this.next();
      const c = this.condition();
      this.expectOp(')');
      return c;
    }
    const l = this.value();
    const t = this.peek();
    if (t.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.next();
      return { t: 'cmp', op: t.v as CmpOp, l, r: this.value() };
    }
    return l;
  }

  value(): Node {
    const t = this.next();
    if (t.k === 'str' || t.k === 'num') return { t: 'lit', v: t.v };
    if (t.k === 'op' && t.v === '[') return { t: 'list', items: this.values(']') };
    if (t.k !== 'id') throw new ExprError(`expected a value at column ${t.pos + 1}, got ${describe(t)}`);
    if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true' };
    if (t.v === 'nil') return { t: 'lit', v: null };
    if (this.isOp('(')) {
      this.next();
      return { t: 'call', name: t.v, args: this.values(')') };
    }
    if (/^[A-Z][A-Z0-9_]*$/.test(t.v)) return { t: 'enum', name: t.v };
    const parts = [t.v];
    const keys: string[] = [];
    for (;;) {
      if (this.isOp('.') && keys.length === 0) {
        this.next();
        const p = this.next();
        if (p.k !== 'id') throw new ExprError(`expected a field name at column ${p.pos + 1}`);
        parts.push(p.v);
      } else if (this.isOp('[')) {
        this.next();
        const k = this.next();
        if (k.k !== 'str') throw new ExprError(`expected a quoted key at column ${k.pos + 1}`);
        keys.push(k.v);
        this.expectOp(']');
      } else break;
    }
    return { t: 'path', parts, keys };
  }

  /** Comma-separated values up to and including the closing `close`. */
  private values(close: string): Node[] {
    const items: Node[] = [];
    if (!this.isOp(close)) {
      items.push(this.value());
      while (this.isOp(',')) {
        this.next();
        items.push(this.value());
      }
    }
    this.expectOp(close);
    return items;
  }

  statement(): Statement {
    const call = this.value();
    if (call.t !== 'call') throw new ExprError('a statement must start with an editor call like set(...)');
    let where: Node | undefined;
    if (this.isWord('where')) {
      this.next();
      where = this.condition();
    }
    this.end();
    return { editor: { name: call.name, args: call.args }, where };
  }
}

function describe(t: Tok): string {
  if (t.k === 'eof') return 'end of input';
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
