// Series identity: the one encoding of attribute maps and metric streams used as map keys
// wherever per-series state is kept (temporality processors, analysis, remote-write, delta
// accumulation, load balancing, the Prometheus receiver).
import type { AnyValue, Attributes, InstrumentationScope, Metric, Resource } from './types.js';

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

/** Order-independent, injective encoding of an attribute map, leaving out the key `skip`. */
export function attrsKey(a: Attributes | undefined, skip?: string): string {
  if (!a) return '{}';
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
