// Stable identities of metric streams (resource + scope + metric + point attributes), the key
// under which cumulativetodelta / deltatocumulative and the analysis processors keep per-stream state.
import type { AnyValue, Attributes, InstrumentationScope, Metric, Resource } from '../pdata/types.js';

function enc(v: AnyValue): string {
  if (v === null) return 'n';
  switch (typeof v) {
    case 'string':
      // Length-prefixed: unambiguous without escaping.
      return 's' + v.length + ':' + v;
    case 'bigint':
      return 'i' + v.toString();
    case 'number':
      return 'd' + String(v);
    case 'boolean':
      return v ? 'T' : 'F';
  }
  if (v instanceof Uint8Array) return 'b' + Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return '[' + v.map(enc).join(',') + ']';
  return attrsKey(v);
}

/** Order-independent encoding of an attribute map, leaving out the key `skip`. */
export function attrsKey(a: Attributes, skip?: string): string {
  const keys = Object.keys(a);
  if (keys.length === 0) return '{}';
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (const k of keys) if (k !== skip) out += k.length + ':' + k + '=' + enc(a[k]!) + ',';
  return out + '}';
}

/** Identity of a metric (without its points); combine with attrsKey(point.attributes). */
export function metricKey(res: Resource, scope: InstrumentationScope, m: Metric, resKey = attrsKey(res.attributes)): string {
  const mono = m.type === 'sum' ? (m.isMonotonic ? 'm' : 'n') : '';
  return `${resKey}|${scope.name}|${scope.version ?? ''}|${m.name}|${m.unit ?? ''}|${m.type}${mono}|`;
}

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
