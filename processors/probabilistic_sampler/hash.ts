// The Collector's hash_seed sampling: FNV-1a 32-bit over the seed (4 bytes, little endian)
// followed by the input bytes; the low 14 bits pick one of 16384 buckets, and buckets below
// percentage * 16384 / 100 are kept.
export const NUM_BUCKETS = 0x4000;
const BUCKET_MASK = NUM_BUCKETS - 1;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function fnv1a32(bytes: Uint8Array, seed: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < 4; i++) h = Math.imul(h ^ ((seed >>> (8 * i)) & 0xff), FNV_PRIME);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h >>> 0;
}

/** Buckets kept for a percentage; the Collector holds the percentage as a float32. */
export function scaledRate(percentage: number): number {
  if (percentage <= 0) return 0;
  if (percentage >= 100) return NUM_BUCKETS;
  return Math.trunc(Math.fround(percentage) * (NUM_BUCKETS / 100));
}

export function bucketOf(bytes: Uint8Array, seed: number): number {
  return fnv1a32(bytes, seed) & BUCKET_MASK;
}

export function sampled(bytes: Uint8Array, seed: number, rate: number): boolean {
  return bucketOf(bytes, seed) < rate;
}

/** FNV-1a over the UTF-8 bytes of a string without allocating for ASCII text. */
export function fnv1a32String(s: string, seed: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < 4; i++) h = Math.imul(h ^ ((seed >>> (8 * i)) & 0xff), FNV_PRIME);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return fnv1a32(Buffer.from(s, 'utf8'), seed);
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h >>> 0;
}
