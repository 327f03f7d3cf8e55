// The subset of stanza's expression language (expr-lang) that filter operators use:
// `body matches "^WARN"`, `body not matches "x"`, `attributes.level == "debug"`,
// `attributes["k"] != nil`, combined with and / or / not / ( ). Anything else is a config error.
import type { AnyValue } from '../pdata/types.js';
import type { Entry } from './entry.js';
import { getField, parseField, type Field } from './field.js';
import { mustGoRegex } from '../util/goregex.js';

export type EntryTest = (e: Entry) => boolean;

const TOKEN = /\s*(?:(\(|\))|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(==|!=|&&|\|\||!)|([A-Za-z_][\w.]*(?:\[\s*"(?:[^"\\]|\\.)*"\s*\])*(?:\.[\w]+)*)|(-?\d+(?:\.\d+)?))/y;

type Tok = { k: 'p' | 's' | 'op' | 'id' | 'n'; v: string };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw new Error(`expr: unexpected "${src.slice(i).trim().slice(0, 20)}"`);
    i = TOKEN.lastIndex;
    if (m[1]) out.push({ k: 'p', v: m[1] });
    else if (m[2]) out.push({ k: 's', v: JSON.parse(m[2][0] === "'" ? `"${m[2].slice(1, -1).replace(/"/g, '\\"')}"` : m[2]) as string });
    else if (m[3]) out.push({ k: 'op', v: m[3] });
    else if (m[4]) out.push({ k: 'id', v: m[4] });
    else out.push({ k: 'n', v: m[5]! });
  }
  return out;
}

function str(v: AnyValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)) : String(v);
}

export function compileEntryExpr(src: string): EntryTest {
  const t = lex(src);
  let i = 0;
  const peek = () => t[i];
  const word = (w: string) => peek()?.k === 'id' && peek()!.v === w;
  const or = (): EntryTest => {
    let l = and();
    while (word('or') || (peek()?.k === 'op' && peek()!.v === '||')) {
      i++;
      const a = l, b = and();
      l = (e) => a(e) || b(e);
    }
    return l;
  };
  const and = (): EntryTest => {
    let l = not();
    while (word('and') || (peek()?.k === 'op' && peek()!.v === '&&')) {
      i++;
      const a = l, b = not();
      l = (e) => a(e) && b(e);
    }
    return l;
  };
  const not = (): EntryTest => {
    if (word('not') || (peek()?.k === 'op' && peek()!.v === '!')) {
      i++;
      const x = not();
      return (e) => !x(e);
    }
    if (peek()?.k === 'p' && peek()!.v === '(') {
      i++;
      const x = or();
      if (t[i++]?.v !== ')') throw new Error('expr: missing ")"');
      return x;
    }
    return comparison();
  };
  const operand = (): ((e: Entry) => AnyValue | undefined) => {
    const tok = t[i++];
    if (!tok) throw new Error('expr: unexpected end');
    if (tok.k === 's') return () => tok.v;
    if (tok.k === 'n') return () => tok.v;
    if (tok.k === 'id' && (tok.v === 'nil' || tok.v === 'true' || tok.v === 'false')) {
      const v = tok.v === 'nil' ? undefined : tok.v === 'true';
      return () => v;
    }
    if (tok.k !== 'id') throw new Error(`expr: unexpected "${tok.v}"`);
    const f = parseField(tok.v);
    if (typeof f === 'string') throw new Error(`expr: ${f}`);
    const field: Field = f;
    return (e) => getField(e, field);
  };
  const comparison = (): EntryTest => {
    const l = operand();
    const negated = word('not') && t[i + 1]?.v === 'matches';
    if (negated) i++;
    if (word('matches')) {
      i++;
      const pat = t[i++];
      if (pat?.k !== 's') throw new Error('expr: matches needs a quoted pattern');
      const re = mustGoRegex(pat.v);
      return (e) => {
        const s = str(l(e));
        return (s !== undefined && re.test(s)) !== negated;
      };
    }
    if (peek()?.k === 'op' && (peek()!.v === '==' || peek()!.v === '!=')) {
      const op = t[i++]!.v;
      const r = operand();
      return (e) => (str(l(e)) === str(r(e))) === (op === '==');
    }
    return (e) => l(e) === true;
  };
  const test = or();
  if (i < t.length) throw new Error(`expr: unexpected "${t[i]!.v}" (telemd supports matches, ==, !=, and, or, not)`);
  return test;
}
