// include/exclude lists as the Collector writes them: `{ <list>: [...], match_type: strict|regexp }`.
export interface MatchConfig {
  items: string[];
  matchType: 'strict' | 'regexp';
}

export type Matcher = (s: string) => boolean;

export function compileMatch(cfg: MatchConfig | undefined): Matcher | undefined {
  if (!cfg || cfg.items.length === 0) return undefined;
  if (cfg.matchType === 'strict') {
    const set = new Set(cfg.items);
    return (s) => set.has(s);
  }
  const res = cfg.items.map((p) => new RegExp(p));
  return (s) => res.some((r) => r.test(s));
}

/** Kept when it matches the include list (if any) and not the exclude list. */
export function keep(include: Matcher | undefined, exclude: Matcher | undefined, s: string): boolean {
  if (include && !include(s)) return false;
  return !(exclude && exclude(s));
}
