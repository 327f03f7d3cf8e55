import { OtlpDecodeError } from './errors.js';

const HEX = '0123456789abcdef';
const BYTE_HEX: string[] = [];
for (let i = 0; i < 256; i++) BYTE_HEX.push(HEX[i >> 4]! + HEX[i & 15]!);

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += BYTE_HEX[b[i]!]!;
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Hex id of exactly `bytes` bytes, or empty (unset). */
export function fromHexId(s: string, bytes: number, field: string): Uint8Array {
  if (s.length === 0) return new Uint8Array(0);
  if (s.length !== bytes * 2) throw new OtlpDecodeError(`${field}: expected ${bytes * 2} hex characters, got ${s.length}`);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    const hi = nibble(s.charCodeAt(2 * i));
    const lo = nibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new OtlpDecodeError(`${field}: invalid hex`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}
