import type { AnyValue, Attributes } from '../pdata/types.js';

/** Set a decoded key without letting "__proto__" from hostile input touch the prototype. */
export function setAttr(o: Attributes, k: string, v: AnyValue): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
