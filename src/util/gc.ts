// A way to force a full garbage collection (memory_limiter above its hard limit) without
// requiring the operator to start node with --expose-gc: the flag can be set at run time, and
// a fresh context then exposes `gc`.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type GcFn = () => void;

let cached: GcFn | null | undefined;

export function gcFunction(): GcFn | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const exposed = (globalThis as { gc?: GcFn }).gc;
  if (typeof exposed === 'function') return (cached = exposed);
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    cached = typeof fn === 'function' ? (fn as GcFn) : null;
  } catch {
    cached = null;
  }
  return cached ?? undefined;
}
