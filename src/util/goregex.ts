// Collector configs carry Go (RE2) regular expressions. One translation for every component that
// takes a pattern (stanza parsers and filter expressions, attributes/resource `extract` and
// `pattern`, match lists, metricstransform, OTTL): the RE2 parser of src/util/re2.ts, which reads
// the pattern as Go does (`(?P<name>…)` and `(?<name>…)`, flag groups anywhere, `\A` `\z`, POSIX
// and Unicode classes, ASCII `\d \w \s`, `.` not matching `\n`) and refuses what RE2 refuses
// (backreferences, lookaround) with Go's message. Group names that are not JS identifiers
// (`git.sha`) are kept in `names` and read with `namedGroups`.
import { RegexError, translateRE2 } from './re2.js';

export interface GoRegExp {
  /** The Go pattern as written. */
  readonly pattern: string;
  /** The JavaScript RegExp (flag `u`, plus any extra flags asked for). */
  readonly re: RegExp;
  /** Named groups → group index. */
  readonly names: ReadonlyMap<string, number>;
  test(s: string): boolean;
  exec(s: string): RegExpExecArray | null;
}

const cache = new Map<string, GoRegExp | string>();

/** Compile a Go pattern (unanchored, as regexp.Compile), or return why it is invalid. */
export function goRegex(pattern: string, extraFlags = ''): GoRegExp | string {
  const key = `${extraFlags}\u0000${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let out: GoRegExp | string;
  try {
    const t = translateRE2(pattern);
    const re = new RegExp(t.source, `u${extraFlags.replace(/u/g, '')}`);
    out = { pattern, re, names: t.names, test: (s) => (re.lastIndex = 0, re.test(s)), exec: (s) => (re.lastIndex = 0, re.exec(s)) };
  } catch (e) {
    const msg = e instanceof RegexError ? e.message.replace(/^error parsing regexp: /, '') : (e as Error).message;
    out = `invalid regexp ${JSON.stringify(pattern)}: ${msg}`;
  }
  if (cache.size > 5000) cache.clear();
  cache.set(key, out);
  return out;
}

/** The named groups of a match, by their Go names (groups that did not take part left out). */
export function namedGroups(m: RegExpExecArray, names: ReadonlyMap<string, number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, i] of names) if (m[i] !== undefined) out[name] = m[i]!;
  return out;
}

/** The JavaScript spelling of a Go pattern (for messages and tests); throws on invalid ones. */
export function translateGoRegex(pattern: string): { source: string; flags: string } {
  const r = goRegex(pattern);
  if (typeof r === 'string') throw new Error(r);
  return { source: r.re.source, flags: r.re.flags };
}

/** A JS RegExp for a Go pattern, or the reason it is invalid. `extraFlags` e.g. 'g'. */
export function compileGoRegex(pattern: string, extraFlags = ''): RegExp | string {
  const r = goRegex(pattern, extraFlags);
  return typeof r === 'string' ? r : r.re;
}

/** Like compileGoRegex, but throws an Error with the reason. */
export function mustGoRegex(pattern: string, extraFlags = ''): RegExp {
  const r = compileGoRegex(pattern, extraFlags);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/** Like goRegex, but throws an Error with the reason. */
export function mustGoRegExp(pattern: string, extraFlags = ''): GoRegExp {
  const r = goRegex(pattern, extraFlags);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/** Whether the pattern has a named group, in either spelling. */
export function hasNamedGroup(pattern: string): boolean {
  const r = goRegex(pattern);
  return typeof r !== 'string' && r.names.size > 0;
}

/**
 * Go's Regexp.Expand template for one match: `$1`, `${1}`, `$name`, `${name}`, `$$` for `$`.
 * Names are as long as possible (`$1x` is group "1x", empty when there is none), as in Go.
 */
export function expandTemplate(template: string, m: RegExpExecArray, names: ReadonlyMap<string, number>): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (all, _x, braced: string | undefined, bare: string | undefined) => {
    if (all === '$$') return '$';
    const name = braced ?? bare!;
    const i = /^\d+$/.test(name) ? Number(name) : names.get(name);
    return i !== undefined && i < m.length ? (m[i] ?? '') : '';
  });
}

/** Replace every match (Go's ReplaceAllString), the replacement a Go template. */
export function replaceAllGo(r: GoRegExp, s: string, template: string, post?: (expanded: string) => string): string {
  const g = new RegExp(r.re.source, r.re.flags.includes('g') ? r.re.flags : r.re.flags + 'g');
  let out = '';
  let last = 0;
  let prevEnd = -1;
  for (let m = g.exec(s); m !== null; m = g.exec(s)) {
    const empty = m[0].length === 0;
    const step = () => {
      const cp = s.codePointAt(m!.index);
      g.lastIndex = m!.index + (cp !== undefined && cp > 0xffff ? 2 : 1);
    };
    // Go ignores an empty match right after the previous match.
    if (empty && m.index === prevEnd) {
      step();
      if (m.index >= s.length) break;
      continue;
    }
    const x = expandTemplate(template, m, r.names);
    out += s.slice(last, m.index) + (post ? post(x) : x);
    last = prevEnd = m.index + m[0].length;
    if (empty) {
      step();
      if (m.index >= s.length) break;
    }
  }
  return out + s.slice(last);
}
