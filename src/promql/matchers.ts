// Label matchers as predicates, for every store behind the Queryable seam: a missing label
// matches as the empty string, regexes are RE2, fully anchored (Prometheus' semantics).
import type { Labels, Matcher } from './queryable.js';
import { compileRegex } from './regex.js';

export type ValuePredicate = (value: string) => boolean;

/** A predicate over one label's value ('' when the series lacks the label). */
export function compileMatcher(m: Matcher): ValuePredicate {
  const want = m.value;
  switch (m.type) {
    case '=':
      return (v) => v === want;
    case '!=':
      return (v) => v !== want;
    case '=~': {
      const literal = literalAlternatives(want);
      if (literal) return (v) => literal.has(v);
      const re = compileRegex(want);
      return (v) => re.test(v);
    }
    case '!~': {
      const literal = literalAlternatives(want);
      if (literal) return (v) => !literal.has(v);
      const re = compileRegex(want);
      return (v) => !re.test(v);
    }
  }
}

/** `a|b|c` of plain words (the common Grafana multi-value case) as a set; undefined otherwise. */
function literalAlternatives(re: string): Set<string> | undefined {
  if (!/^[A-Za-z0-9_\-/:,% ]*(\|[A-Za-z0-9_\-/:,% ]*)*$/.test(re)) return undefined;
  return new Set(re.split('|'));
}

/** True when the series' labels satisfy every matcher. */
export function matchesAll(labels: Labels, matchers: readonly { readonly name: string; readonly pred: ValuePredicate }[]): boolean {
  for (const m of matchers) {
    const v = labels[m.name];
    // typeof guards plain-object stores against inherited names such as "constructor".
    if (!m.pred(typeof v === 'string' ? v : '')) return false;
  }
  return true;
}

/** Matchers compiled once for a select. */
export function compileMatchers(ms: readonly Matcher[]): { readonly name: string; readonly pred: ValuePredicate }[] {
  return ms.map((m) => ({ name: m.name, pred: compileMatcher(m) }));
}
