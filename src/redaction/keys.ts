// Attribute-key lists: exact names, or globs with `*` (e.g. `http.request.header.*`).

export type KeyMatcher = (key: string) => boolean;

export function keyMatcher(patterns: readonly string[]): KeyMatcher {
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const p of patterns) {
    if (p.includes('*')) {
      const re = p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
      globs.push(new RegExp(`^${re}$`, 'i'));
    } else exact.add(p.toLowerCase());
  }
  if (exact.size === 0 && globs.length === 0) return () => false;
  return (k) => {
    const lk = k.toLowerCase();
    if (exact.has(lk)) return true;
    for (const g of globs) if (g.test(lk)) return true;
    return false;
  };
}
