// AnyValue helpers: the string form the Collector uses when matching and hashing.
import type { AnyValue } from '../pdata/types.js';

export function valueToString(v: AnyValue | undefined): string {
  if (v === undefined || v === null) return '';
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
    case 'number':
    case 'bigint':
      return String(v);
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint' ? Number(x) : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x,
  );
}

/** A YAML config value (string/number/bool) as an attribute value; whole numbers become int64. */
export function configValue(v: unknown): AnyValue {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  if (Array.isArray(v)) return v.map(configValue);
  if (typeof v === 'object' && v !== undefined)
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, configValue(x)]));
  return String(v);
}

/** Loose equality used by strict matching: same type and value, ints and doubles compared by number. */
export function valuesEqual(a: AnyValue | undefined, b: AnyValue | undefined): boolean {
  if (a === b) return true;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint'))
    return Number(a) === Number(b);
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a === 'object' || typeof b === 'object') return valueToString(a) === valueToString(b);
  return false;
}
