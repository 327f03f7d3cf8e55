// PromQL tokens with their offsets. Words are one kind (`ident`): whether `sum`, `by` or `inf`
// is a keyword depends on where it stands, so the parser decides, as Prometheus' grammar does.
import { parseDuration } from './durations.js';
import { ParseError } from './errors.js';

export type TokenKind = 'num' | 'dur' | 'str' | 'ident' | 'op' | 'eof' | 'err';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (for `op`, the operator). */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** `num`: the value; `dur`: milliseconds. */
  readonly num: number;
  /** `str`: the unquoted value; `err`: the message; `dur`: the problem if not a valid duration. */
  readonly str: string;
}

const OPS2 = new Set(['!=', '=~', '!~', '==', '<=', '>=']);
const OPS1 = new Set(['(', ')', '{', '}', '[', ']', ',', ':', '@', '=', '<', '>', '+', '-', '*', '/', '%', '^']);

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isAlnum = (c: string): boolean => isAlpha(c) || isDigit(c);
const isHex = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

/**
 * All tokens. A lexical error ends the list as an `err` token, raised when the parser reaches
 * it: as in Prometheus' lazy lexer, a syntax error earlier in the query is reported first.
 */
export function tokenize(input: string): Token[] {
  const out: Token[] = [];
  try {
    lex(input, out);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    out.push({ kind: 'err', text: '', start: err.offset, end: err.endOffset, num: 0, str: err.detail });
  }
  return out;
}

function lex(input: string, out: Token[]): void {
  let i = 0;
  let braces = 0;
  let brackets = 0;
  let parens = 0;
  const fail = (at: number, end: number, msg: string): never => {
    throw new ParseError(input, at, end, msg);
  };
  const push = (kind: TokenKind, start: number, end: number, num = 0, str = ''): void => {
    out.push({ kind, text: input.slice(start, end), start, end, num, str });
  };
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < input.length && input[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'" || c === '`') {
      const { value, end } = lexString(input, i, fail);
      push('str', start, end, 0, value);
      i = end;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(input[i + 1] ?? ''))) {
      i = lexNumberOrDuration(input, i, push, fail);
      continue;
    }
    if (isAlpha(c) || (c === ':' && brackets === 0 && braces === 0)) {
      const colon = braces === 0 && brackets === 0;
      while (i < input.length && (isAlnum(input[i]!) || (colon && input[i] === ':'))) i++;
      push('ident', start, i);
      continue;
    }
    const two = input.slice(i, i + 2);
    if (OPS2.has(two)) {
      push('op', i, i + 2);
      i += 2;
      continue;
    }
    if (OPS1.has(c)) {
      if (c === '(') parens++;
      else if (c === ')') {
        if (parens === 0) fail(i + 1, i + 1, "unexpected right parenthesis ')'");
        parens--;
      } else if (c === '{') braces++;
      else if (c === '}') braces = Math.max(0, braces - 1);
      else if (c === '[') brackets++;
      else if (c === ']') brackets = Math.max(0, brackets - 1);
      push('op', i, i + 1);
      i++;
      continue;
    }
    if (c === '!') fail(i, i + 1, 'unexpected character after \'!\': ' + JSON.stringify(input[i + 1] ?? ''));
    const cp = String.fromCodePoint(input.codePointAt(i)!);
    fail(i, i + cp.length, `unexpected character: ${JSON.stringify(cp)}`);
  }
  const end = input.length;
  if (braces > 0) fail(end, end, 'unexpected end of input inside braces');
  if (parens > 0) fail(end, end, 'unclosed left parenthesis');
  if (brackets > 0) fail(end, end, 'unclosed left bracket');
  out.push({ kind: 'eof', text: '', start: end, end, num: 0, str: '' });
}

type Push = (kind: TokenKind, start: number, end: number, num?: number, str?: string) => void;
type Fail = (at: number, end: number, msg: string) => never;

function lexNumberOrDuration(input: string, start: number, push: Push, fail: Fail): number {
  let i = start;
  let digits = isDigit;
  let hex = false;
  if (input[i] === '0' && (input[i + 1] === 'x' || input[i + 1] === 'X')) {
    digits = isHex;
    hex = true;
    i += 2;
  }
  while (i < input.length && digits(input[i]!)) i++;
  if (!hex && input[i] === '.') {
    i++;
    while (i < input.length && isDigit(input[i]!)) i++;
  }
  if (!hex && (input[i] === 'e' || input[i] === 'E') && (isDigit(input[i + 1] ?? '') || ((input[i + 1] === '+' || input[i + 1] === '-') && isDigit(input[i + 2] ?? '')))) {
    i += 2;
    while (i < input.length && isDigit(input[i]!)) i++;
  }
  if (!isAlnum(input[i] ?? '')) {
    const text = input.slice(start, i);
    push('num', start, i, parseNumber(text, start, i, fail));
    return i;
  }
  // A duration: a number then units (5m, 1h30m, 100ms). Invalid ones (1.5m, 5mh) are still
  // duration tokens; whether that is an error depends on where they stand.
  let j = i;
  if (!hex && 'smhdwy'.includes(input[j]!)) {
    while (j < input.length && isAlnum(input[j]!) && /[0-9smhdwy]/.test(input[j]!)) j++;
    if (!isAlnum(input[j] ?? '')) {
      const text = input.slice(start, j);
      const ms = parseDuration(text);
      if (typeof ms === 'string') push('dur', start, j, NaN, ms);
      else push('dur', start, j, ms);
      return j;
    }
  }
  while (j < input.length && isAlnum(input[j]!)) j++;
  return fail(start, j, `bad number or duration syntax: ${JSON.stringify(input.slice(start, j))}`);
}

/** Prometheus reads integers with Go's base prefix rules (0x.., 0..: octal) and floats as Go does. */
function parseNumber(text: string, start: number, end: number, fail: Fail): number {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]+$/.test(text)) return parseInt(text.slice(1), 8);
  const v = Number(text);
  if (Number.isNaN(v)) fail(start, end, `bad number syntax: ${JSON.stringify(text)}`);
  return v;
}

/** A quoted string with Go's escapes; single and double quotes alike; backquotes raw. */
function lexString(input: string, start: number, fail: Fail): { value: string; end: number } {
  const q = input[start]!;
  let i = start + 1;
  if (q === '`') {
    const close = input.indexOf('`', i);
    if (close < 0) fail(start, input.length, 'unterminated raw string');
    return { value: input.slice(i, close), end: close + 1 };
  }
  let value = '';
  for (;;) {
    if (i >= input.length || input[i] === '\n') return fail(start, i, 'unterminated quoted string');
    const c = input[i]!;
    if (c === q) return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = input[i + 1] ?? '';
    const escStart = i;
    i += 2;
    switch (e) {
      case 'a': value += '\x07'; break;
      case 'b': value += '\b'; break;
      case 'f': value += '\f'; break;
      case 'n': value += '\n'; break;
      case 'r': value += '\r'; break;
      case 't': value += '\t'; break;
      case 'v': value += '\v'; break;
      case '\\': value += '\\'; break;
      case "'":
      case '"':
        if (e !== q) fail(escStart, i, `unknown escape sequence \\${e} in ${q === '"' ? 'double' : 'single'}-quoted string`);
        value += e;
        break;
      case 'x':
      case 'u':
      case 'U': {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = input.slice(i, i + n);
        if (hex.length !== n || ![...hex].every(isHex)) fail(escStart, i + n, `invalid escape sequence \\${e}${hex}`);
        const cp = parseInt(hex, 16);
        if (e !== 'x' && (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))) fail(escStart, i + n, `invalid Unicode code point in escape sequence \\${e}${hex}`);
        value += String.fromCodePoint(cp);
        i += n;
        break;
      }
      default: {
        if (e >= '0' && e <= '7') {
          const oct = input.slice(i - 1, i + 2);
          if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) fail(escStart, i + 2, `invalid octal escape sequence \\${oct}`);
          value += String.fromCharCode(parseInt(oct, 8));
          i += 2;
          break;
        }
        fail(escStart, i, `unknown escape sequence \\${e}`);
      }
    }
  }
}
