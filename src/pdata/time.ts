/** Wall clock in nanoseconds since the epoch, with sub-millisecond resolution. */
const originNs = BigInt(Math.round(performance.timeOrigin * 1e6));
export function nowNanos(): bigint {
  return originNs + BigInt(Math.round(performance.now() * 1e6));
}
export function msToNanos(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}
