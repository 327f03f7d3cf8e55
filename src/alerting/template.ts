// Go text/template, the subset alert templates use, with Prometheus' template functions, so
// that labels and annotations written for Prometheus expand to the same text here.
//
// Supported: text and `{{ }}` actions with `{{-`/`-}}` trimming and comments; pipelines with
// `|`; variables (`$x := …`, `$x = …`, `$labels`, `$value`, `$externalLabels`,
// `$externalURL`, `$`); fields (`.Labels.instance`, `$labels.job`); literals (strings, raw
// strings, chars, numbers, true/false/nil); `if`/`else if`/`else`, `range` (with `$i, $v :=`,
// `else`, `break`, `continue`), `with`/`else with`; parenthesised pipelines.
// Go built-ins: and or not len index slice print printf println eq ne lt le gt ge html js
// urlquery. Prometheus functions: query first label value strvalue sortByLabel args
// reReplaceAll match title toUpper toLower stripPort stripDomain humanize humanize1024
// humanizeDuration humanizePercentage humanizeTimestamp toTime parseDuration safeHtml
// graphLink tableLink pathPrefix externalURL.
// Not supported (refused when parsing, with the template's position): define, template, block,
// call, methods on values.
import { formatFloat, goFloatV } from './gofmt.js';
import { compileGoRegex } from '../util/goregex.js';
import { parseDuration as promDuration } from '../promql/durations.js';

// ---------------------------------------------------------------------------------------------
// Values

export class GoMap {
  constructor(
    readonly m: ReadonlyMap<string, GoValue>,
    /** Go type of the map, for messages (`map[string]string`). */
    readonly type = 'map[string]string',
    /** Zero value of the element type (what `index` returns for a missing key). */
    readonly zero: GoValue = '',
  ) {}
  static of(r: Readonly<Record<string, string>>): GoMap {
    return new GoMap(new Map(Object.entries(r)));
  }
}

export class GoStruct {
  constructor(
    readonly type: string,
    readonly fields: Readonly<Record<string, GoValue>>,
  ) {}
}

/** time.Time (prints as Go's Time.String in UTC). */
export class GoTime {
  constructor(
    readonly sec: number,
    readonly nsec: number,
  ) {}
}

export class SafeHtml {
  constructor(readonly s: string) {}
}

/**
 * A Go value: string, float64 (number), int (bigint), bool, nil (null), an invalid value
 * (undefined: a missing map entry, printed `<no value>`), slices, maps, structs, time.
 */
export type GoValue = string | number | bigint | boolean | null | undefined | readonly GoValue[] | GoMap | GoStruct | GoTime | SafeHtml;

export function goTypeName(v: GoValue): string {
  if (v === undefined) return '<invalid>';
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
  }
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoMap) return v.type;
  if (v instanceof GoStruct) return v.type;
  if (v instanceof GoTime) return '*time.Time';
  if (v instanceof SafeHtml) return 'template.HTML';
  return 'interface {}';
}

// ---------------------------------------------------------------------------------------------
// Printing (fmt)

const MONTHS = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** Go's Time.String() of a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTimeString(t: GoTime): string {
  const d = new Date(t.sec * 1000);
  const y = d.getUTCFullYear();
  let s = `${pad(y, 4)}-${MONTHS[d.getUTCMonth()]}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  if (t.nsec > 0) s += `.${pad(t.nsec, 9).replace(/0+$/, '')}`;
  return `${s} +0000 UTC`;
}

/** fmt's %v. */
export function goPrint(v: GoValue, nested = false): string {
  if (v === undefined) return '<no value>';
  if (v === null) return nested ? '<nil>' : '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return goFloatV(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (Array.isArray(v)) return `[${v.map((x) => goPrint(x, true)).join(' ')}]`;
  if (v instanceof GoMap)
    return `map[${[...v.m.keys()].sort().map((k) => `${k}:${goPrint(v.m.get(k), true)}`).join(' ')}]`;
  if (v instanceof GoStruct) return `&{${Object.values(v.fields).map((x) => goPrint(x, true)).join(' ')}}`;
  if (v instanceof GoTime) return goTimeString(v);
  if (v instanceof SafeHtml) return v.s;
  return String(v);
}

function isStringish(v: GoValue): boolean {
  return typeof v === 'string' || v instanceof SafeHtml;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function goSprint(args: readonly GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && !isStringish(a) && !isStringish(args[i - 1]!)) out += ' ';
    out += goPrint(a);
  });
  return out;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

function padTo(s: string, f: Spec, numeric: boolean): string {
  if (f.width === undefined || s.length >= f.width) return s;
  const n = f.width - s.length;
  if (f.minus) return s + ' '.repeat(n);
  if (f.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

function signed(s: string, f: Spec): string {
  if (s.startsWith('-')) return s;
  if (f.plus) return `+${s}`;
  if (f.space) return ` ${s}`;
  return s;
}

function badVerb(verb: string, v: GoValue): string {
  if (v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${goPrint(v)})`;
}

/** Go's %q for a string. */
export function goQuoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function fmtOne(verb: string, v: GoValue, f: Spec): string {
  if (verb === 'v' && !(typeof v === 'number' || typeof v === 'bigint')) return padTo(goPrint(v), f, false);
  if (typeof v === 'number') {
    const p = f.prec ?? -1;
    switch (verb) {
      case 'v':
      case 'g':
      case 'G':
        return padTo(signed(formatFloat(v, verb === 'G' ? 'G' : 'g', p), f), f, true);
      case 'f':
      case 'F':
        return padTo(signed(formatFloat(v, 'f', f.prec ?? 6), f), f, true);
      case 'e':
      case 'E':
        return padTo(signed(formatFloat(v, verb, f.prec ?? 6), f), f, true);
      default:
        return badVerb(verb, v);
    }
  }
  if (typeof v === 'bigint') {
    switch (verb) {
      case 'v':
      case 'd':
        return padTo(signed(v.toString(), f), f, true);
      case 'x':
        return padTo(signed(v < 0n ? `-${(-v).toString(16)}` : v.toString(16), f), f, true);
      case 'X':
        return padTo(signed(v < 0n ? `-${(-v).toString(16).toUpperCase()}` : v.toString(16).toUpperCase(), f), f, true);
      case 'o':
        return padTo(signed(v.toString(8), f), f, true);
      case 'b':
        return padTo(signed(v.toString(2), f), f, true);
      case 'c':
        return padTo(String.fromCodePoint(Number(v)), f, false);
      case 'q':
        return padTo(`'${String.fromCodePoint(Number(v))}'`, f, false);
      default:
        return badVerb(verb, v);
    }
  }
  if (typeof v === 'string' || v instanceof SafeHtml) {
    let s = typeof v === 'string' ? v : v.s;
    switch (verb) {
      case 's':
        if (f.prec !== undefined) s = [...s].slice(0, f.prec).join('');
        return padTo(s, f, false);
      case 'q':
        return padTo(goQuoteString(s), f, false);
      case 'x':
        return padTo(Buffer.from(s).toString('hex'), f, false);
      case 'X':
        return padTo(Buffer.from(s).toString('hex').toUpperCase(), f, false);
      default:
        return badVerb(verb, v);
    }
  }
  if (typeof v === 'boolean') {
    if (verb === 't') return padTo(v ? 'true' : 'false', f, false);
    return badVerb(verb, v);
  }
  if (verb === 's' && (Array.isArray(v) || v instanceof GoMap || v instanceof GoStruct || v instanceof GoTime)) return padTo(goPrint(v), f, false);
  return badVerb(verb, v);
}

/** fmt.Sprintf for the verbs templates use: v s q d x X o b c t f F e E g G and %%. */
export function goSprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let ai = 0;
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    i++;
    const f: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') f.minus = true;
      else if (c === '+') f.plus = true;
      else if (c === '#') f.sharp = true;
      else if (c === ' ') f.space = true;
      else if (c === '0') f.zero = true;
      else break;
    }
    let num = '';
    while (i < format.length && /[0-9]/.test(format[i]!)) num += format[i++];
    if (num) f.width = Number(num);
    if (format[i] === '.') {
      i++;
      let p = '';
      while (i < format.length && /[0-9]/.test(format[i]!)) p += format[i++];
      f.prec = p ? Number(p) : 0;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = format[i]!;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += fmtOne(verb, args[ai++], f);
  }
  if (ai < args.length) out += `%!(EXTRA ${args.slice(ai).map((a) => `${goTypeName(a)}=${goPrint(a)}`).join(', ')})`;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lexer

type Tok =
  | { k: 'text'; s: string; pos: number }
  | { k: 'left'; trim: boolean; pos: number }
  | { k: 'right'; trim: boolean; pos: number }
  | { k: 'comment'; pos: number }
  | { k: 'ident'; s: string; pos: number; sp: boolean }
  | { k: 'field'; s: string; pos: number; sp: boolean }
  | { k: 'var'; s: string; pos: number; sp: boolean }
  | { k: 'dot'; pos: number; sp: boolean }
  | { k: 'string'; s: string; pos: number; sp: boolean }
  | { k: 'number'; v: number | bigint; pos: number; sp: boolean }
  | { k: 'bool'; v: boolean; pos: number; sp: boolean }
  | { k: 'nil'; pos: number; sp: boolean }
  | { k: 'kw'; s: string; pos: number; sp: boolean }
  | { k: 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma'; pos: number; sp: boolean };

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

export class TemplateError extends Error {
  constructor(
    message: string,
    /** Offset in the template text (parse errors), for the caller's file:line:col. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

function lineOf(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function unquote(raw: string, name: string, text: string, pos: number): string {
  // raw includes the quotes
  const q = raw[0];
  if (q === '`') return raw.slice(1, -1);
  const body = raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
        out += '"';
        break;
      case "'":
        out += "'";
        break;
      case 'x':
        out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
        break;
      case 'u':
        out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 5), 16));
        i += 4;
        break;
      case 'U':
        out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 9), 16));
        i += 8;
        break;
      default:
        if (n !== undefined && /[0-7]/.test(n)) {
          out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
          i += 2;
        } else throw new TemplateError(`template: ${name}:${lineOf(text, pos)}: unquote: invalid syntax`, pos);
    }
  }
  return out;
}

function parseNumber(s: string): number | bigint | undefined {
  const t = s.replace(/_/g, '');
  if (/^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/.test(t)) {
    const neg = t.startsWith('-');
    let body = t.replace(/^[+-]/, '');
    if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
    if (/^0[oO]/.test(body)) body = `0o${body.slice(2)}`;
    const v = BigInt(body);
    return neg ? -v : v;
  }
  if (/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/.test(t)) return Number(t);
  return undefined;
}

function lex(text: string, name: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const err = (pos: number, msg: string): never => {
    throw new TemplateError(`template: ${name}:${lineOf(text, pos)}: ${msg}`, pos);
  };
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      toks.push({ k: 'text', s: text.slice(i), pos: i });
      break;
    }
    if (open > i) toks.push({ k: 'text', s: text.slice(i, open), pos: i });
    let j = open + 2;
    let trimLeft = false;
    if (text[j] === '-' && /[ \t\r\n]/.test(text[j + 1] ?? '')) {
      trimLeft = true;
      j += 1;
    }
    // Comment
    let k = j;
    while (trimLeft && /[ \t\r\n]/.test(text[k] ?? '')) k++;
    if (text.startsWith('/*', k)) {
      const end = text.indexOf('*/', k + 2);
      if (end < 0) err(open, 'unclosed comment');
      let r = end + 2;
      let trimRight = false;
      while (/[ \t\r\n]/.test(text[r] ?? '')) r++;
      if (text[r] === '-' && text[r + 1] === '}' && text[r + 2] === '}' && r > end + 2) {
        trimRight = true;
        r++;
      }
      if (!text.startsWith('}}', r)) err(open, 'comment ends before closing delimiter');
      toks.push({ k: 'left', trim: trimLeft, pos: open }, { k: 'comment', pos: open }, { k: 'right', trim: trimRight, pos: r });
      i = r + 2;
      continue;
    }
    toks.push({ k: 'left', trim: trimLeft, pos: open });
    // Action body
    let sp = true;
    let parenDepth = 0;
    for (;;) {
      if (j >= text.length) err(open, 'unclosed action');
      const c = text[j]!;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        // ` -}}`
        if (text[j + 1] === '-' && text[j + 2] === '}' && text[j + 3] === '}') {
          toks.push({ k: 'right', trim: true, pos: j + 1 });
          j += 4;
          break;
        }
        sp = true;
        j++;
        continue;
      }
      if (c === '}' && text[j + 1] === '}') {
        if (parenDepth > 0) err(j, 'unclosed left paren');
        toks.push({ k: 'right', trim: false, pos: j });
        j += 2;
        break;
      }
      const pos = j;
      if (c === '|') {
        toks.push({ k: 'pipe', pos, sp });
        j++;
      } else if (c === '(') {
        parenDepth++;
        toks.push({ k: 'lparen', pos, sp });
        j++;
      } else if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) err(j, 'unexpected right paren');
        toks.push({ k: 'rparen', pos, sp });
        j++;
      } else if (c === ',') {
        toks.push({ k: 'comma', pos, sp });
        j++;
      } else if (c === ':' && text[j + 1] === '=') {
        toks.push({ k: 'declare', pos, sp });
        j += 2;
      } else if (c === '=') {
        toks.push({ k: 'assign', pos, sp });
        j++;
      } else if (c === '"') {
        let e = j + 1;
        while (e < text.length && text[e] !== '"') {
          if (text[e] === '\\') e++;
          if (text[e] === '\n') err(j, 'unterminated quoted string');
          e++;
        }
        if (e >= text.length) err(j, 'unterminated quoted string');
        toks.push({ k: 'string', s: unquote(text.slice(j, e + 1), name, text, j), pos, sp });
        j = e + 1;
      } else if (c === '`') {
        const e = text.indexOf('`', j + 1);
        if (e < 0) err(j, 'unterminated raw quoted string');
        toks.push({ k: 'string', s: text.slice(j + 1, e), pos, sp });
        j = e + 1;
      } else if (c === "'") {
        let e = j + 1;
        while (e < text.length && text[e] !== "'") {
          if (text[e] === '\\') e++;
          e++;
        }
        const s = unquote(`"${text.slice(j + 1, e)}"`, name, text, j);
        const cps = [...s];
        if (cps.length !== 1) err(j, `malformed character constant: ${text.slice(j, e + 1)}`);
        toks.push({ k: 'number', v: BigInt(cps[0]!.codePointAt(0)!), pos, sp });
        j = e + 1;
      } else if (c === '$') {
        let e = j + 1;
        while (e < text.length && /[\p{L}\p{N}_]/u.test(text[e]!)) e++;
        toks.push({ k: 'var', s: text.slice(j, e), pos, sp });
        j = e;
      } else if (c === '.') {
        if (/[0-9]/.test(text[j + 1] ?? '')) {
          const m = /^[.0-9eE+\-_xXa-fA-FoObB]+/.exec(text.slice(j))!;
          const v = parseNumber(m[0]);
          if (v === undefined) err(j, `bad number syntax: "${m[0]}"`);
          toks.push({ k: 'number', v: v!, pos, sp });
          j += m[0].length;
        } else if (/[\p{L}_]/u.test(text[j + 1] ?? '')) {
          let e = j + 1;
          while (e < text.length && /[\p{L}\p{N}_]/u.test(text[e]!)) e++;
          toks.push({ k: 'field', s: text.slice(j + 1, e), pos, sp });
          j = e;
        } else {
          toks.push({ k: 'dot', pos, sp });
          j++;
        }
      } else if (/[0-9+\-]/.test(c)) {
        const m = /^[+-]?[0-9][0-9a-zA-Z_.]*(?:[eEpP][+-][0-9_]+)?/.exec(text.slice(j));
        if (!m) err(j, `unexpected "${c}" in command`);
        const v = parseNumber(m![0]);
        if (v === undefined) err(j, `bad number syntax: "${m![0]}"`);
        toks.push({ k: 'number', v: v!, pos, sp });
        j += m![0].length;
      } else if (/[\p{L}_]/u.test(c)) {
        let e = j;
        while (e < text.length && /[\p{L}\p{N}_]/u.test(text[e]!)) e++;
        const w = text.slice(j, e);
        if (w === 'true' || w === 'false') toks.push({ k: 'bool', v: w === 'true', pos, sp });
        else if (w === 'nil') toks.push({ k: 'nil', pos, sp });
        else if (KEYWORDS.has(w)) toks.push({ k: 'kw', s: w, pos, sp });
        else toks.push({ k: 'ident', s: w, pos, sp });
        j = e;
      } else {
        err(j, `unexpected "${c}" in command`);
      }
      sp = false;
    }
    i = j;
  }
  // Trim markers
  for (let t = 0; t < toks.length; t++) {
    const tk = toks[t]!;
    if (tk.k === 'left' && tk.trim) {
      const prev = toks[t - 1];
      if (prev?.k === 'text') prev.s = prev.s.replace(/[ \t\r\n]+$/, '');
    }
    if (tk.k === 'right' && tk.trim) {
      const next = toks[t + 1];
      if (next?.k === 'text') next.s = next.s.replace(/^[ \t\r\n]+/, '');
    }
  }
  return toks;
}

// ---------------------------------------------------------------------------------------------
// Parser

type Operand =
  | { t: 'dot'; pos: number }
  | { t: 'field'; chain: string[]; pos: number }
  | { t: 'var'; name: string; chain: string[]; pos: number }
  | { t: 'ident'; name: string; pos: number }
  | { t: 'lit'; v: GoValue; pos: number }
  | { t: 'pipe'; pipe: Pipe; chain: string[]; pos: number };

interface Cmd {
  args: Operand[];
  pos: number;
}

interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Cmd[];
  pos: number;
}

type TNode =
  | { t: 'text'; s: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if' | 'with'; pipe: Pipe; list: TNode[]; alt: TNode[] | undefined }
  | { t: 'range'; pipe: Pipe; list: TNode[]; alt: TNode[] | undefined }
  | { t: 'break' | 'continue'; pos: number };

export interface TemplateFunctions {
  /** PromQL for `query`: the samples of an instant query at the alert's evaluation time. */
  query?(expr: string): Promise<{ labels: Record<string, string>; value: number }[]>;
  externalURL?: string;
}

type Fn = (args: GoValue[], env: ExecEnv) => GoValue | Promise<GoValue>;

const BUILTIN_NAMES = new Set([
  'and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery',
  'query', 'first', 'label', 'value', 'strvalue', 'sortByLabel', 'args', 'reReplaceAll', 'match', 'title', 'toUpper', 'toLower',
  'stripPort', 'stripDomain', 'humanize', 'humanize1024', 'humanizeDuration', 'humanizePercentage', 'humanizeTimestamp', 'toTime',
  'parseDuration', 'safeHtml', 'graphLink', 'tableLink', 'pathPrefix', 'externalURL',
]);

class Parser {
  private i = 0;
  private scopes: Set<string>[] = [new Set(['$'])];
  constructor(
    private readonly toks: Tok[],
    private readonly text: string,
    private readonly name: string,
  ) {}

  err(pos: number, msg: string): never {
    throw new TemplateError(`template: ${this.name}:${lineOf(this.text, pos)}: ${msg}`, pos);
  }

  peek(): Tok | undefined {
    return this.toks[this.i];
  }

  next(): Tok {
    const t = this.toks[this.i++];
    if (!t) this.err(this.text.length, 'unexpected EOF');
    return t!;
  }

  /** Parses nodes until `{{end}}` / `{{else}}` (returned as the stopper) or EOF. */
  list(top: boolean, inRange: boolean): { nodes: TNode[]; stop?: 'end' | 'else'; elseTok?: number } {
    const nodes: TNode[] = [];
    while (this.i < this.toks.length) {
      const t = this.next();
      if (t.k === 'text') {
        if (t.s) nodes.push({ t: 'text', s: t.s });
        continue;
      }
      if (t.k !== 'left') this.err(t.pos, 'unexpected token');
      const first = this.peek();
      if (first?.k === 'comment') {
        this.i += 2;
        continue;
      }
      if (first?.k === 'kw') {
        this.i++;
        switch (first.s) {
          case 'end':
            this.expectRight();
            if (top) this.err(first.pos, 'unexpected {{end}}');
            return { nodes, stop: 'end' };
          case 'else':
            if (top) this.err(first.pos, 'unexpected {{else}}');
            return { nodes, stop: 'else', elseTok: first.pos };
          case 'if':
          case 'with':
            nodes.push(this.control(first.s, first.pos, inRange));
            continue;
          case 'range':
            nodes.push(this.control('range', first.pos, inRange));
            continue;
          case 'break':
          case 'continue':
            if (!inRange) this.err(first.pos, `{{${first.s}}} outside {{range}}`);
            this.expectRight();
            nodes.push({ t: first.s, pos: first.pos });
            continue;
          default:
            this.err(first.pos, `"${first.s}" is not supported by telemd's templates`);
        }
      }
      const pipe = this.pipeline(true, false);
      this.expectRight();
      nodes.push({ t: 'action', pipe });
    }
    if (!top) this.err(this.text.length, 'unexpected EOF');
    return { nodes };
  }

  expectRight(): void {
    const t = this.next();
    if (t.k !== 'right') this.err(t.pos, `unexpected ${describe(t)} in end`);
  }

  control(kind: 'if' | 'with' | 'range', pos: number, inRange: boolean): TNode {
    this.scopes.push(new Set());
    const pipe = this.pipeline(kind !== 'range' || true, kind === 'range');
    this.expectRight();
    const body = this.list(false, kind === 'range' || inRange);
    let alt: TNode[] | undefined;
    if (body.stop === 'else') {
      const nx = this.peek();
      if (nx?.k === 'kw' && (nx.s === 'if' || nx.s === 'with') && kind !== 'range') {
        // `{{else if …}}` / `{{else with …}}`: a nested control that consumes the final {{end}}.
        this.i++;
        alt = [this.control(nx.s, nx.pos, inRange)];
        this.scopes.pop();
        return { t: kind, pipe, list: body.nodes, alt } as TNode;
      }
      this.expectRight();
      const rest = this.list(false, inRange);
      if (rest.stop !== 'end') this.err(rest.elseTok ?? pos, 'expected end; found {{else}}');
      alt = rest.nodes;
    }
    this.scopes.pop();
    return { t: kind, pipe, list: body.nodes, alt } as TNode;
  }

  declared(v: string): boolean {
    return this.scopes.some((s) => s.has(v));
  }

  pipeline(allowDecl: boolean, isRange: boolean): Pipe {
    const start = this.peek()?.pos ?? 0;
    const decl: string[] = [];
    let assign = false;
    // Declarations: `$x :=`, `$x =`, `$i, $v :=` (range).
    const save = this.i;
    if (allowDecl && this.peek()?.k === 'var') {
      const v1 = this.next() as { s: string };
      const t = this.peek();
      if (t?.k === 'declare' || t?.k === 'assign') {
        this.i++;
        decl.push(v1.s);
        assign = t.k === 'assign';
      } else if (t?.k === 'comma' && isRange) {
        this.i++;
        const v2 = this.next();
        if (v2.k !== 'var') this.err(v2.pos, 'range can only initialize variables');
        const t2 = this.next();
        if (t2.k !== 'declare' && t2.k !== 'assign') this.err(t2.pos, 'expected := or = in range');
        decl.push(v1.s, (v2 as { s: string }).s);
        assign = t2.k === 'assign';
      } else this.i = save;
    }
    if (assign) for (const d of decl) if (!this.declared(d)) this.err(start, `undefined variable "${d}"`);
    const cmds: Cmd[] = [];
    for (;;) {
      cmds.push(this.command());
      const t = this.peek();
      if (t?.k === 'pipe') {
        this.i++;
        continue;
      }
      break;
    }
    if (!assign) for (const d of decl) this.scopes[this.scopes.length - 1]!.add(d);
    // The first command of later stages must be a function (it gets the previous result).
    for (let c = 1; c < cmds.length; c++) {
      const a0 = cmds[c]!.args[0]!;
      if (a0.t !== 'ident' && cmds[c]!.args.length > 0 && a0.t !== 'field' && a0.t !== 'var' && a0.t !== 'pipe') this.err(a0.pos, `non executable command in pipeline stage ${c + 1}`);
    }
    return { decl, assign, cmds, pos: start };
  }

  command(): Cmd {
    const args: Operand[] = [];
    const start = this.peek()?.pos ?? 0;
    for (;;) {
      const t = this.peek();
      if (!t || t.k === 'right' || t.k === 'pipe' || t.k === 'rparen') break;
      if (args.length > 0 && !(t as { sp?: boolean }).sp) this.err(t.pos, `missing space?`);
      args.push(this.operand());
    }
    if (args.length === 0) this.err(start, 'empty command');
    return { args, pos: start };
  }

  chainAfter(): string[] {
    const chain: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.k === 'field' && !t.sp) {
        this.i++;
        chain.push(t.s);
      } else break;
    }
    return chain;
  }

  operand(): Operand {
    const t = this.next();
    switch (t.k) {
      case 'dot':
        return { t: 'dot', pos: t.pos };
      case 'field': {
        const chain = [t.s, ...this.chainAfter()];
        return { t: 'field', chain, pos: t.pos };
      }
      case 'var': {
        if (!this.declared(t.s)) this.err(t.pos, `undefined variable "${t.s}"`);
        return { t: 'var', name: t.s, chain: this.chainAfter(), pos: t.pos };
      }
      case 'ident':
        if (t.s === 'call') this.err(t.pos, 'function "call" is not supported by telemd\'s templates');
        if (!BUILTIN_NAMES.has(t.s)) this.err(t.pos, `function "${t.s}" not defined`);
        return { t: 'ident', name: t.s, pos: t.pos };
      case 'string':
        return { t: 'lit', v: t.s, pos: t.pos };
      case 'number':
        return { t: 'lit', v: t.v, pos: t.pos };
      case 'bool':
        return { t: 'lit', v: t.v, pos: t.pos };
      case 'nil':
        return { t: 'lit', v: null, pos: t.pos };
      case 'lparen': {
        const pipe = this.pipeline(false, false);
        const r = this.next();
        if (r.k !== 'rparen') this.err(r.pos, 'unclosed left paren');
        return { t: 'pipe', pipe, chain: this.chainAfter(), pos: t.pos };
      }
      default:
        this.err(t.pos, `unexpected ${describe(t)} in operand`);
    }
  }
}

function describe(t: Tok): string {
  switch (t.k) {
    case 'right':
      return '"}}"';
    case 'kw':
    case 'ident':
      return `<${t.s}>`;
    case 'pipe':
      return '"|"';
    case 'rparen':
      return '")"';
    case 'comma':
      return '","';
    default:
      return t.k;
  }
}

// ---------------------------------------------------------------------------------------------
// Execution

interface ExecEnv {
  fns: TemplateFunctions;
  name: string;
  text: string;
}

class Break {}
class Continue {}

export class Template {
  private constructor(
    readonly name: string,
    readonly text: string,
    private readonly nodes: TNode[],
  ) {}

  /** Parses `text`; throws TemplateError (with the offset of the problem) when invalid. */
  static parse(name: string, text: string, predeclared: readonly string[] = []): Template {
    const p = new Parser(lex(text, name), text, name);
    for (const v of predeclared) (p as unknown as { scopes: Set<string>[] }).scopes[0]!.add(v);
    const { nodes } = p.list(true, false);
    return new Template(name, text, nodes);
  }

  /** Runs the template over `dot` with variables preset; throws TemplateError on failure. */
  async execute(dot: GoValue, vars: Record<string, GoValue>, fns: TemplateFunctions = {}): Promise<string> {
    const env: ExecEnv = { fns, name: this.name, text: this.text };
    const scope = new Map<string, GoValue>(Object.entries(vars));
    scope.set('$', dot);
    const out: string[] = [];
    await runList(this.nodes, dot, [scope], env, out);
    return out.join('');
  }
}

function execErr(env: ExecEnv, pos: number, msg: string): never {
  throw new TemplateError(`template: ${env.name}:${lineOf(env.text, pos)}: ${msg}`);
}

async function runList(nodes: TNode[], dot: GoValue, scopes: Map<string, GoValue>[], env: ExecEnv, out: string[]): Promise<void> {
  for (const n of nodes) {
    switch (n.t) {
      case 'text':
        out.push(n.s);
        break;
      case 'action': {
        const v = await evalPipe(n.pipe, dot, scopes, env);
        if (n.pipe.decl.length === 0) out.push(printValue(v, env, n.pipe.pos));
        break;
      }
      case 'if':
      case 'with': {
        const inner = [...scopes, new Map<string, GoValue>()];
        const v = await evalPipe(n.pipe, dot, inner, env);
        if (truth(v)) await runList(n.list, n.t === 'with' ? v : dot, inner, env, out);
        else if (n.alt) await runList(n.alt, dot, inner, env, out);
        break;
      }
      case 'range':
        await runRange(n, dot, scopes, env, out);
        break;
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
    }
  }
}

function printValue(v: GoValue, env: ExecEnv, pos: number): string {
  if (v instanceof GoStruct && v.type === 'template.Data') execErr(env, pos, 'cannot print the template data');
  return goPrint(v);
}

async function runRange(n: Extract<TNode, { t: 'range' }>, dot: GoValue, scopes: Map<string, GoValue>[], env: ExecEnv, out: string[]): Promise<void> {
  const inner = [...scopes, new Map<string, GoValue>()];
  const saveDecl = n.pipe.decl;
  const v = await evalPipe({ ...n.pipe, decl: [] }, dot, inner, env);
  let items: [GoValue, GoValue][];
  if (Array.isArray(v)) items = (v as GoValue[]).map((x, i) => [BigInt(i), x]);
  else if (v instanceof GoMap) items = [...v.m.keys()].sort().map((k) => [k, v.m.get(k)]);
  else if (typeof v === 'bigint') items = Array.from({ length: Number(v) }, (_, i) => [BigInt(i), BigInt(i)]);
  else if (v === null || v === undefined) items = [];
  else execErr(env, n.pipe.pos, `range can't iterate over ${goPrint(v)}`);
  if (items.length === 0) {
    if (n.alt) await runList(n.alt, dot, inner, env, out);
    return;
  }
  const top = inner[inner.length - 1]!;
  for (const [k, x] of items) {
    if (saveDecl.length === 1) setVar(inner, saveDecl[0]!, x, n.pipe.assign);
    else if (saveDecl.length === 2) {
      setVar(inner, saveDecl[0]!, k, n.pipe.assign);
      setVar(inner, saveDecl[1]!, x, n.pipe.assign);
    }
    try {
      await runList(n.list, x, inner, env, out);
    } catch (e) {
      if (e instanceof Break) break;
      if (e instanceof Continue) continue;
      throw e;
    }
    void top;
  }
}

function setVar(scopes: Map<string, GoValue>[], name: string, v: GoValue, assign: boolean): void {
  if (assign) {
    for (let i = scopes.length - 1; i >= 0; i--)
      if (scopes[i]!.has(name)) {
        scopes[i]!.set(name, v);
        return;
      }
  }
  scopes[scopes.length - 1]!.set(name, v);
}

function getVar(scopes: Map<string, GoValue>[], name: string, env: ExecEnv, pos: number): GoValue {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i]!.has(name)) return scopes[i]!.get(name);
  return execErr(env, pos, `undefined variable: ${name}`);
}

async function evalPipe(p: Pipe, dot: GoValue, scopes: Map<string, GoValue>[], env: ExecEnv): Promise<GoValue> {
  let v: GoValue = undefined;
  let has = false;
  for (const c of p.cmds) {
    v = await evalCmd(c, dot, scopes, env, has ? v : NONE);
    has = true;
  }
  for (const d of p.decl) setVar(scopes, d, v, p.assign);
  return v;
}

const NONE = Symbol('none');

async function evalCmd(c: Cmd, dot: GoValue, scopes: Map<string, GoValue>[], env: ExecEnv, final: GoValue | typeof NONE): Promise<GoValue> {
  const first = c.args[0]!;
  if (first.t === 'ident') {
    const args: GoValue[] = [];
    // and/or short-circuit: evaluate lazily.
    if (first.name === 'and' || first.name === 'or') {
      const ops = c.args.slice(1);
      if (ops.length === 0 && final === NONE) execErr(env, first.pos, `wrong number of args for ${first.name}: want at least 1 got 0`);
      let last: GoValue = undefined;
      const all: (() => Promise<GoValue>)[] = ops.map((o) => () => evalOperand(o, dot, scopes, env));
      if (final !== NONE) all.push(async () => final);
      for (const get of all) {
        last = await get();
        if (first.name === 'and' ? !truth(last) : truth(last)) return last;
      }
      return last;
    }
    for (const a of c.args.slice(1)) args.push(await evalOperand(a, dot, scopes, env));
    if (final !== NONE) args.push(final);
    const fn = FUNCS[first.name];
    if (!fn) execErr(env, first.pos, `function "${first.name}" not defined`);
    try {
      return await fn!(args, env);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      execErr(env, first.pos, `error calling ${first.name}: ${(e as Error).message}`);
    }
  }
  if (c.args.length > 1 || final !== NONE) {
    const what = first.t === 'field' ? `.${first.chain.join('.')}` : first.t === 'var' ? first.name : goPrint((first as { v?: GoValue }).v);
    if (first.t === 'field' || first.t === 'var') execErr(env, first.pos, `${what} is not a method but has arguments`);
    execErr(env, first.pos, `can't give argument to non-function ${what}`);
  }
  return evalOperand(first, dot, scopes, env);
}

async function evalOperand(o: Operand, dot: GoValue, scopes: Map<string, GoValue>[], env: ExecEnv): Promise<GoValue> {
  switch (o.t) {
    case 'dot':
      return dot;
    case 'lit':
      return o.v;
    case 'field':
      return fieldChain(dot, o.chain, env, o.pos);
    case 'var':
      return fieldChain(getVar(scopes, o.name, env, o.pos), o.chain, env, o.pos);
    case 'ident': {
      // A function as an argument is called with no arguments (`printf "%s" pathPrefix`).
      const fn = FUNCS[o.name]!;
      try {
        return await fn([], env);
      } catch (e) {
        if (e instanceof TemplateError) throw e;
        execErr(env, o.pos, `error calling ${o.name}: ${(e as Error).message}`);
      }
    }
    // falls through (never: execErr throws)
    case 'pipe': {
      const inner = [...scopes, new Map<string, GoValue>()];
      const v = await evalPipe(o.pipe, dot, inner, env);
      return fieldChain(v, o.chain, env, o.pos);
    }
  }
}

function fieldChain(v: GoValue, chain: readonly string[], env: ExecEnv, pos: number): GoValue {
  let cur = v;
  for (const f of chain) {
    if (cur instanceof GoMap) {
      // Prometheus runs templates with missingkey=zero: a missing label is "".
      cur = cur.m.has(f) ? cur.m.get(f) : cur.zero;
    } else if (cur instanceof GoStruct) {
      if (!(f in cur.fields)) execErr(env, pos, `can't evaluate field ${f} in type ${cur.type}`);
      cur = cur.fields[f];
    } else if (cur === null) {
      execErr(env, pos, `nil pointer evaluating interface {}.${f}`);
    } else if (cur === undefined) {
      // A missing map entry: further fields are missing too (Go: zero value of the element).
      execErr(env, pos, `nil pointer evaluating interface {}.${f}`);
    } else execErr(env, pos, `can't evaluate field ${f} in type ${goTypeName(cur)}`);
  }
  return cur;
}

export function truth(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return v.length > 0;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoMap) return v.m.size > 0;
  if (v instanceof SafeHtml) return v.s.length > 0;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Functions

type Kind = 'bool' | 'int' | 'float' | 'string' | 'other';

function basicKind(v: GoValue): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string' || v instanceof SafeHtml) return 'string';
  return 'other';
}

function str(v: GoValue): string {
  return v instanceof SafeHtml ? v.s : (v as string);
}

function eqPair(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'other' || kb === 'other') {
    if (a === null && b === null) return true;
    throw new Error('invalid type for comparison');
  }
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka === 'string') return str(a) === str(b);
  return a === b;
}

function ltPair(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'other' || kb === 'other' || ka === 'bool' || kb === 'bool') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka === 'string') return str(a) < str(b);
  return (a as number) < (b as number);
}

function want(args: GoValue[], n: number, name: string): void {
  if (args.length !== n) throw new Error(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

/** Prometheus' convertToFloat. */
function toFloat(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const t = v.trim();
    const n = parseGoFloatText(t);
    if (n === undefined) throw new Error(`strconv.ParseFloat: parsing ${goQuoteString(v)}: invalid syntax`);
    return n;
  }
  throw new Error(`can't convert ${goTypeName(v)} to float`);
}

function parseGoFloatText(t: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (/^[+-]?(\d[\d_]*\.?[\d_]*([eE][+-]?\d+)?|\.\d[\d_]*([eE][+-]?\d+)?)$/.test(t)) return Number(t.replace(/_/g, ''));
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return Number(t.replace(/^([+-]?)0[xX]/, '$10x')) || parseInt(t, 16);
  return undefined;
}

function toStr(v: GoValue, fn: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof SafeHtml) return v.s;
  throw new Error(`wrong type for value; expected string; got ${goTypeName(v)}`);
}

function sample(v: GoValue): GoStruct {
  if (v instanceof GoStruct && v.type === '*template.sample') return v;
  throw new Error(`wrong type for value; expected *template.sample; got ${goTypeName(v)}`);
}

function sampleOf(labels: Record<string, string>, value: number): GoStruct {
  return new GoStruct('*template.sample', { Labels: GoMap.of(labels), Value: value });
}

const SI_BIG = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SI_SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const g4 = (v: number) => formatFloat(v, 'g', 4);

export function humanize(v: number): string {
  if (v === 0 || Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of SI_BIG) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  let prefix = '';
  for (const p of SI_SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

export function humanizeDuration(v: number): string {
  if (Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    // Go's int64(v): beyond the int64 range amd64 gives the minimum int64.
    const d = v >= 2 ** 63 ? -(2n ** 63n) : BigInt(Math.trunc(v));
    const seconds = d % 60n;
    const minutes = (d / 60n) % 60n;
    const hours = (d / 3600n) % 24n;
    const days = d / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of SI_SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

function floatToTime(v: number): GoTime {
  if (Number.isNaN(v) || !Number.isFinite(v)) throw new Error('value is NaN or Inf');
  const sec = Math.trunc(v);
  const nsec = Math.round((v - sec) * 1e9);
  return new GoTime(sec, nsec);
}

/** Go's strings.Title. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    const sep = !/[\p{L}\p{N}_]/u.test(prev) && (prev.codePointAt(0)! < 0x80 ? !/[A-Za-z0-9_]/.test(prev) : /\s/u.test(prev));
    out += sep ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function goRegex(pattern: string, global: boolean): RegExp {
  const r = compileGoRegex(pattern, global ? 'g' : '');
  if (typeof r === 'string') throw new Error(`error parsing regexp: ${r.replace(/^invalid regexp "(?:[^"\\]|\\.)*": /, '')}`);
  return r;
}

/** Go's Regexp.Expand of `$1`, `${name}` (`$1x` is the group named "1x"). */
function expandGo(repl: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== '$' || i + 1 >= repl.length) {
      out += c;
      continue;
    }
    if (repl[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    if (repl[i + 1] === '{') {
      const end = repl.indexOf('}', i + 2);
      if (end < 0) {
        out += c;
        continue;
      }
      name = repl.slice(i + 2, end);
      i = end;
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(repl.slice(i + 1));
      if (!mm) {
        out += c;
        continue;
      }
      name = mm[0];
      i += name.length;
    }
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
  }
  return out;
}

function stripPort(hostPort: string): string {
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(hostPort) ?? /^([^:]*):([^:]*)$/.exec(hostPort);
  return m ? m[1]! : hostPort;
}

function stripDomain(hostPort: string): string {
  let host = hostPort;
  let port = '';
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(hostPort) ?? /^([^:]*):([^:]*)$/.exec(hostPort);
  if (m) {
    host = m[1]!;
    port = `:${m[2]}`;
  }
  // IP addresses are kept as they are.
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':')) return hostPort;
  const dot = host.indexOf('.');
  if (dot >= 0) host = host.slice(0, dot);
  return m ? `${host}${port}` : host;
}

function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (c < 0x20) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

function pathPrefixOf(url: string | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).pathname.replace(/\/$/, '');
  } catch {
    return '';
  }
}

const FUNCS: Record<string, Fn> = {
  not: (a) => {
    want(a, 1, 'not');
    return !truth(a[0]);
  },
  len: (a) => {
    want(a, 1, 'len');
    const v = a[0];
    if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
    if (v instanceof SafeHtml) return BigInt(Buffer.byteLength(v.s));
    if (Array.isArray(v)) return BigInt(v.length);
    if (v instanceof GoMap) return BigInt(v.m.size);
    throw new Error(`len of type ${goTypeName(v)}`);
  },
  index: (a) => {
    if (a.length < 1) throw new Error('wrong number of args for index: want at least 1 got 0');
    let cur = a[0];
    for (const ix of a.slice(1)) {
      if (cur instanceof GoMap) {
        if (typeof ix !== 'string') throw new Error(`value has type ${goTypeName(ix)}; should be string`);
        cur = cur.m.has(ix) ? cur.m.get(ix) : cur.zero;
      } else if (Array.isArray(cur) || typeof cur === 'string') {
        if (typeof ix !== 'bigint') throw new Error(`cannot index slice/array with type ${goTypeName(ix)}`);
        const n = Number(ix);
        const len = typeof cur === 'string' ? Buffer.byteLength(cur) : (cur as GoValue[]).length;
        if (n < 0 || n >= len) throw new Error(`index out of range: ${n}`);
        cur = typeof cur === 'string' ? BigInt(Buffer.from(cur)[n]!) : (cur as GoValue[])[n];
      } else if (cur === null || cur === undefined) throw new Error('index of untyped nil');
      else throw new Error(`can't index item of type ${goTypeName(cur)}`);
    }
    return cur;
  },
  slice: (a) => {
    if (a.length < 1) throw new Error('wrong number of args for slice: want at least 1 got 0');
    const v = a[0];
    const ix = a.slice(1).map((x) => {
      if (typeof x !== 'bigint') throw new Error(`cannot index slice/array with type ${goTypeName(x)}`);
      return Number(x);
    });
    if (typeof v === 'string') {
      const b = Buffer.from(v);
      const i = ix[0] ?? 0;
      const j = ix[1] ?? b.length;
      if (i < 0 || j > b.length || i > j) throw new Error(`index out of range: ${j}`);
      return b.subarray(i, j).toString();
    }
    if (Array.isArray(v)) {
      const i = ix[0] ?? 0;
      const j = ix[1] ?? v.length;
      if (i < 0 || j > v.length || i > j) throw new Error(`index out of range: ${j}`);
      return v.slice(i, j);
    }
    throw new Error(`can't slice item of type ${goTypeName(v)}`);
  },
  print: (a) => goSprint(a),
  printf: (a) => {
    if (a.length < 1) throw new Error('wrong number of args for printf: want at least 1 got 0');
    return goSprintf(toStr(a[0], 'printf'), a.slice(1));
  },
  println: (a) => `${a.map((x) => goPrint(x)).join(' ')}\n`,
  eq: (a) => {
    if (a.length < 2) throw new Error('missing argument for comparison');
    return a.slice(1).some((b) => eqPair(a[0], b));
  },
  ne: (a) => {
    want(a, 2, 'ne');
    return !eqPair(a[0], a[1]);
  },
  lt: (a) => {
    want(a, 2, 'lt');
    return ltPair(a[0], a[1]);
  },
  le: (a) => {
    want(a, 2, 'le');
    return ltPair(a[0], a[1]) || eqPair(a[0], a[1]);
  },
  gt: (a) => {
    want(a, 2, 'gt');
    return !(ltPair(a[0], a[1]) || eqPair(a[0], a[1]));
  },
  ge: (a) => {
    want(a, 2, 'ge');
    return !ltPair(a[0], a[1]);
  },
  html: (a) => htmlEscape(goSprint(a)),
  js: (a) => jsEscape(goSprint(a)),
  urlquery: (a) => queryEscape(goSprint(a)),
  // Prometheus
  query: async (a, env) => {
    want(a, 1, 'query');
    if (!env.fns.query) throw new Error('queries are not available here');
    const res = await env.fns.query(toStr(a[0], 'query'));
    return res.map((s) => sampleOf(s.labels, s.value));
  },
  first: (a) => {
    want(a, 1, 'first');
    const v = a[0];
    if (!Array.isArray(v)) throw new Error(`wrong type for value; expected template.queryResult; got ${goTypeName(v)}`);
    if (v.length === 0) throw new Error('first() called on vector with no elements');
    return v[0];
  },
  label: (a) => {
    want(a, 2, 'label');
    const s = sample(a[1]);
    const m = s.fields.Labels as GoMap;
    return (m.m.get(toStr(a[0], 'label')) as string | undefined) ?? '';
  },
  value: (a) => {
    want(a, 1, 'value');
    return sample(a[0]).fields.Value as number;
  },
  strvalue: (a) => {
    want(a, 1, 'strvalue');
    const m = sample(a[0]).fields.Labels as GoMap;
    return (m.m.get('__value__') as string | undefined) ?? '';
  },
  sortByLabel: (a) => {
    want(a, 2, 'sortByLabel');
    const name = toStr(a[0], 'sortByLabel');
    const v = a[1];
    if (!Array.isArray(v)) throw new Error(`wrong type for value; expected template.queryResult; got ${goTypeName(v)}`);
    const key = (x: GoValue) => ((sample(x).fields.Labels as GoMap).m.get(name) as string | undefined) ?? '';
    return [...v].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  },
  args: (a) => new GoMap(new Map(a.map((x, i) => [`arg${i}`, x])), 'map[string]interface {}', undefined),
  reReplaceAll: (a) => {
    want(a, 3, 'reReplaceAll');
    const re = goRegex(toStr(a[0], 'reReplaceAll'), true);
    const repl = toStr(a[1], 'reReplaceAll');
    return toStr(a[2], 'reReplaceAll').replace(re, (...m: unknown[]) => {
      const groups = typeof m[m.length - 1] === 'object' ? (m[m.length - 1] as Record<string, string>) : undefined;
      const arr = m.slice(0, groups ? -3 : -2) as string[];
      const ex = Object.assign(arr, { groups, index: 0, input: '' }) as unknown as RegExpExecArray;
      return expandGo(repl, ex);
    });
  },
  match: (a) => {
    want(a, 2, 'match');
    return goRegex(toStr(a[0], 'match'), false).test(toStr(a[1], 'match'));
  },
  title: (a) => {
    want(a, 1, 'title');
    return title(toStr(a[0], 'title'));
  },
  toUpper: (a) => {
    want(a, 1, 'toUpper');
    return toStr(a[0], 'toUpper').toUpperCase();
  },
  toLower: (a) => {
    want(a, 1, 'toLower');
    return toStr(a[0], 'toLower').toLowerCase();
  },
  stripPort: (a) => {
    want(a, 1, 'stripPort');
    return stripPort(toStr(a[0], 'stripPort'));
  },
  stripDomain: (a) => {
    want(a, 1, 'stripDomain');
    return stripDomain(toStr(a[0], 'stripDomain'));
  },
  humanize: (a) => {
    want(a, 1, 'humanize');
    return humanize(toFloat(a[0]));
  },
  humanize1024: (a) => {
    want(a, 1, 'humanize1024');
    return humanize1024(toFloat(a[0]));
  },
  humanizeDuration: (a) => {
    want(a, 1, 'humanizeDuration');
    return humanizeDuration(toFloat(a[0]));
  },
  humanizePercentage: (a) => {
    want(a, 1, 'humanizePercentage');
    return `${g4(toFloat(a[0]) * 100)}%`;
  },
  humanizeTimestamp: (a) => {
    want(a, 1, 'humanizeTimestamp');
    const v = toFloat(a[0]);
    if (Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
    return goTimeString(floatToTime(v));
  },
  toTime: (a) => {
    want(a, 1, 'toTime');
    return floatToTime(toFloat(a[0]));
  },
  parseDuration: (a) => {
    want(a, 1, 'parseDuration');
    const ms = promDuration(toStr(a[0], 'parseDuration'));
    if (typeof ms === 'string') throw new Error(ms);
    return ms / 1000;
  },
  safeHtml: (a) => {
    want(a, 1, 'safeHtml');
    return new SafeHtml(toStr(a[0], 'safeHtml'));
  },
  graphLink: (a, env) => {
    want(a, 1, 'graphLink');
    return `${pathPrefixOf(env.fns.externalURL)}/graph?g0.expr=${queryEscape(toStr(a[0], 'graphLink'))}&g0.tab=0`;
  },
  tableLink: (a, env) => {
    want(a, 1, 'tableLink');
    return `${pathPrefixOf(env.fns.externalURL)}/graph?g0.expr=${queryEscape(toStr(a[0], 'tableLink'))}&g0.tab=1`;
  },
  pathPrefix: (a, env) => {
    want(a, 0, 'pathPrefix');
    return pathPrefixOf(env.fns.externalURL);
  },
  externalURL: (a, env) => {
    want(a, 0, 'externalURL');
    return env.fns.externalURL ?? '';
  },
};

// ---------------------------------------------------------------------------------------------
// Alert templates

/** The variables Prometheus defines before every alert label and annotation template. */
export const ALERT_VARIABLES = ['$labels', '$externalLabels', '$externalURL', '$value'] as const;

export interface AlertTemplateData {
  labels: Record<string, string>;
  externalLabels: Record<string, string>;
  externalURL: string;
  value: number;
}

/** Parses a label or annotation template as Prometheus does (`__alert_<name>`). */
export function parseAlertTemplate(alertName: string, text: string): Template {
  return Template.parse(`__alert_${alertName}`, text, ALERT_VARIABLES);
}

/** Expands it; a failure gives Prometheus' `<error expanding template: …>` text (and the error). */
export async function expandAlertTemplate(t: Template, d: AlertTemplateData, fns: TemplateFunctions): Promise<{ text: string; error?: string }> {
  const labels = GoMap.of(d.labels);
  const ext = GoMap.of(d.externalLabels);
  const dot = new GoStruct('template.Data', { Labels: labels, ExternalLabels: ext, ExternalURL: d.externalURL, Value: d.value });
  try {
    const text = await t.execute(dot, { $labels: labels, $externalLabels: ext, $externalURL: d.externalURL, $value: d.value }, fns);
    return { text };
  } catch (e) {
    const msg = (e as Error).message;
    return { text: `<error expanding template: ${msg}>`, error: msg };
  }
}
