// Collector configs carry Go (RE2) regular expressions; JavaScript's differ in a few spellings.
// One translation for every component that takes a pattern (stanza parsers, attributes/resource
// `extract`, metricstransform, OTTL): `(?P<name>` named groups, leading `(?i)`/`(?s)`/`(?m)`
// flags, `\A` / `\z`, and POSIX classes `[[:alpha:]]`. RE2 has no backreferences or lookaround,
// so a valid RE2 pattern never needs more than this.

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

export interface GoRegex {
  source: string;
  flags: string;
}

/** The JavaScript spelling of a Go pattern (throws nothing; compile with `compileGoRegex`). */
export function translateGoRegex(pattern: string): GoRegex {
  let src = pattern;
  let flags = '';
  // Leading flag groups: (?i), (?is), (?m) ...
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(src);
    if (!m) break;
    for (const f of m[1]!) if (f !== 'U' && !flags.includes(f)) flags += f;
    src = src.slice(m[0].length);
  }
  src = src
    .replace(/\(\?P</g, '(?<')
    .replace(/\[\[:(\^?)([a-z]+):\]\]/g, (all, neg: string, name: string) => (POSIX[name] ? `[${neg}${POSIX[name]}]` : all))
    .replace(/\[:([a-z]+):\]/g, (all, name: string) => POSIX[name] ?? all)
    .replace(/(^|[^\\])\\A/g, '$1^')
    .replace(/(^|[^\\])\\z/g, '$1$(?![\\s\\S])');
  return { source: src, flags };
}

/** Compile a Go/RE2 pattern, or return the reason it is invalid. `extraFlags` e.g. 'g'. */
export function compileGoRegex(pattern: string, extraFlags = ''): RegExp | string {
  const t = translateGoRegex(pattern);
  try {
    return new RegExp(t.source, t.flags + extraFlags);
  } catch (e) {
    return `invalid regexp ${JSON.stringify(pattern)}: ${(e as Error).message}`;
  }
}

/** Like compileGoRegex, but throws an Error with the reason. */
export function mustGoRegex(pattern: string, extraFlags = ''): RegExp {
  const r = compileGoRegex(pattern, extraFlags);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/** Named groups in either spelling, `(?P<x>` or `(?<x>`. */
export function hasNamedGroup(pattern: string): boolean {
  return /\(\?P?<[A-Za-z_][A-Za-z0-9_]*>/.test(pattern);
}
