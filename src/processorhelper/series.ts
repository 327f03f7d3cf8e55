// Per-stream state helpers of cumulativetodelta / deltatocumulative and the analysis processors.
// Stream identities are the tree's one encoding (src/pdata/identity.ts), re-exported here.
export { attrsKey, metricKey } from '../pdata/identity.js';

/** Same explicit bucket bounds: only then can two histogram points be added or subtracted. */
export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Forgets streams not seen (`seen`, ms) for `maxAgeMs`; scans at most once per
 * min(maxAgeMs, 1 min), so most batches pay nothing for it.
 */
export function staleSweeper(maxAgeMs: number, ...maps: Map<string, { seen: number }>[]): (now: number) => void {
  let last = Date.now();
  return (now) => {
    if (now - last < Math.min(maxAgeMs, 60_000)) return;
    last = now;
    for (const map of maps) for (const [k, st] of map) if (now - st.seen > maxAgeMs) map.delete(k);
  };
}
