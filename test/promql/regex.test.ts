// RE2 semantics in JavaScript: what differs between the two engines, and Go's errors.
import { describe, expect, it } from 'vitest';
import { compileRegex, RegexError } from '../../src/promql/regex.js';

const full = (re: string, s: string): boolean => compileRegex(re).test(s);

describe('RE2 patterns as Prometheus matches them', () => {
  it('are fully anchored, with RE2 meanings where JavaScript differs', () => {
    const cases: [string, string, boolean][] = [
      ['a|b', 'ab', false],
      ['.*', 'x\ny', false], // . never matches \n
      ['.', '\r', true], // but does match \r, unlike JS
      ['(?s).*', 'x\ny', true],
      ['\\d', '٣', false], // ASCII classes
      ['\\s', '\v', false],
      ['\\w+', 'é', false],
      ['\\pL+', 'é', true],
      ['\\p{Greek}', 'α', true],
      ['\\PL', 'é', false],
      ['[[:alpha:]]+', 'abc', true],
      ['[[:^digit:]]', '5', false],
      ['(?i)k', '\u212a', true], // Kelvin sign folds to k
      ['(?i)ı', 'I', false], // dotless i does not (simple folding)
      ['(?i)[a-z]+', 'ABC\u017f', true],
      ['pro(?i:DUC)tion', 'prodUCtion', true],
      ['pro(?i:DUC)tion', 'prodUCTion', false],
      ['a{,3}', 'a{,3}', true], // not a repeat in RE2
      ['x{2,3}', 'xxxx', false],
      ['\\Qa.b\\E', 'axb', false],
      ['(?m)^a$\\n^b$', 'a\nb', true],
      ['[^a]', '\n', true],
      ['\\x{41}\\101', 'AA', true],
      ['a)|(b', 'axyz', true], // ^(?:a)|(b)$ as Go compiles the wrapped string
      ['a)|(b', 'xyzb', true],
      ['a)|(b', 'xyz', false],
    ];
    for (const [re, s, want] of cases) expect([re, s, full(re, s)]).toEqual([re, s, want]);
  });

  it('give Go\'s submatches for label_replace, also on the linear-time engine', () => {
    expect(compileRegex('(.*)-value-(?P<n>.*)').exec('source-value-10')).toEqual(['source-value-10', 'source', '10']);
    expect(compileRegex('(.*)-value-(?P<n>.*)').names.get('n')).toBe(2);
    // Nested repeats run on the Pike VM: same leftmost-first submatches.
    // Leftmost-first, not leftmost-longest: (a|ab) takes "a", so (c|bcd) takes "bcd".
    expect(compileRegex('((a|ab)(c|bcd))(d*)').exec('abcd')).toEqual(['abcd', 'abcd', 'a', 'bcd', '']);
    expect(compileRegex('((a|ab)(c|bcd))+(d*)').exec('abcd')).toEqual(['abcd', 'abcd', 'a', 'bcd', '']);
    // Go prunes an empty iteration that re-enters the loop: the group keeps "aa" (Perl and
    // JavaScript's backtracker give "").
    expect(compileRegex('(a*)*(b)').exec('aab')).toEqual(['aab', 'aa', 'b']);
    expect(compileRegex('(a?)+(b)').exec('aab')).toEqual(['aab', 'a', 'b']);
    expect(compileRegex('(x+x+)+y').exec('xxxy')).toEqual(['xxxy', 'xxx']);
  });

  it('stay linear on patterns that backtrack exponentially in JavaScript', () => {
    const s = `${'a'.repeat(3000)}c`;
    expect(full('(a*)*b', s)).toBe(false);
    expect(full('(a|aa)+b', s)).toBe(false);
    expect(full('(x+x+)+y', 'x'.repeat(3000))).toBe(false);
  });

  it('reject what RE2 rejects, with Go\'s messages', () => {
    const err = (re: string): string => {
      try {
        compileRegex(re);
      } catch (e) {
        if (e instanceof RegexError) return e.message;
        throw e;
      }
      return 'accepted';
    };
    expect(err('(.*')).toBe('error parsing regexp: missing closing ): `^(?:(.*)$`');
    expect(err('a**')).toBe('error parsing regexp: invalid nested repetition operator: `**`');
    expect(err('x{1001}')).toBe('error parsing regexp: invalid repeat count: `{1001}`');
    expect(err('(?=a)')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    expect(err('\\1')).toBe('error parsing regexp: invalid escape sequence: `\\1`');
    expect(err('[z-a]')).toBe('error parsing regexp: invalid character class range: `z-a`');
    expect(err('(?P<n>a)(?P<n>b)')).toBe('error parsing regexp: duplicate capture group name: `(?P<n>`');
  });
});
