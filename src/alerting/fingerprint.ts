// Alertmanager's alert fingerprint (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64
// over the label names in sorted order, each name and value followed by the byte 0xff, as
// 16 hex digits — the `fingerprint` Alertmanager shows in its API and UI.

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

// FNV-1a over 64 bits with two 32-bit halves: BigInt per byte would be slow for long labels.
function fnv(h: [number, number], bytes: Uint8Array): void {
  let hi = h[0];
  let lo = h[1];
  for (let i = 0; i < bytes.length; i++) {
    lo ^= bytes[i]!;
    // (hi,lo) * 0x100000001b3 = (hi,lo) * 0x1b3 + (lo << 40)
    const lo16 = lo & 0xffff;
    const lo16h = lo >>> 16;
    const a = lo16 * 0x1b3;
    const b = lo16h * 0x1b3 + (a >>> 16);
    const newLo = ((b & 0xffff) << 16) | (a & 0xffff);
    const carry = Math.floor(b / 0x10000);
    hi = (Math.imul(hi, 0x1b3) + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = newLo >>> 0;
  }
  h[0] = hi >>> 0;
  h[1] = lo >>> 0;
}

const SEP = new Uint8Array([0xff]);
const enc = new TextEncoder();

/** The fingerprint of a label set as Alertmanager computes it, 16 lower-case hex digits. */
export function fingerprint(labels: Readonly<Record<string, string>>): string {
  const h: [number, number] = [Number(OFFSET >> 32n), Number(OFFSET & 0xffffffffn)];
  for (const k of Object.keys(labels).sort(byBytes)) {
    fnv(h, enc.encode(k));
    fnv(h, SEP);
    fnv(h, enc.encode(labels[k]!));
    fnv(h, SEP);
  }
  return h[0].toString(16).padStart(8, '0') + h[1].toString(16).padStart(8, '0');
}

/** The reference version (BigInt), used by the tests to check the fast one. */
export function fingerprintBig(labels: Readonly<Record<string, string>>): string {
  let h = OFFSET;
  const add = (b: number) => {
    h ^= BigInt(b);
    h = (h * PRIME) & MASK;
  };
  for (const k of Object.keys(labels).sort(byBytes)) {
    for (const b of enc.encode(k)) add(b);
    add(0xff);
    for (const b of enc.encode(labels[k]!)) add(b);
    add(0xff);
  }
  return h.toString(16).padStart(16, '0');
}

/** Go sorts label names as byte strings (UTF-8), which differs from UTF-16 order above U+FFFF. */
function byBytes(a: string, b: string): number {
  if (a === b) return 0;
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}
