// Seeded mutators of valid OTLP bodies, shared by the fuzz test and the attack suite.
import { encodeJson, encodeProto } from '../../src/otlp/index.js';
import { logsFixture, metricsFixture, tracesFixture } from './fixtures.js';

/** Deterministic PRNG so a failure can be replayed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One valid request per signal, in the order traces, logs, metrics. */
export const protoTemplates = () => [encodeProto('traces', tracesFixture(1, 2)), encodeProto('logs', logsFixture(1)), encodeProto('metrics', metricsFixture(1))];
export const jsonTemplates = () => [encodeJson('traces', tracesFixture(1, 2)), encodeJson('logs', logsFixture(1)), encodeJson('metrics', metricsFixture(1))];

export function mutateBytes(r: () => number, src: Uint8Array): Uint8Array {
  const b = Uint8Array.from(src);
  const kind = Math.floor(r() * 5);
  if (kind === 0) return Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
  if (kind === 1) return b.subarray(0, Math.floor(r() * b.length));
  const flips = 1 + Math.floor(r() * 8);
  for (let i = 0; i < flips; i++) b[Math.floor(r() * b.length)] = kind === 2 ? 0xff : Math.floor(r() * 256);
  if (kind === 4) return Uint8Array.from([...b.subarray(0, 40), ...b]);
  return b;
}

export function mutateJson(r: () => number, src: string): string {
  const kind = Math.floor(r() * 5);
  if (kind === 0) return src.slice(0, Math.floor(r() * src.length));
  if (kind === 1) return Array.from({ length: 50 }, () => String.fromCharCode(32 + Math.floor(r() * 90))).join('');
  if (kind === 2) return src.replace(/"[0-9a-f]{16,32}"/, '"zz"');
  if (kind === 3) return src.replace(/"(\d+)"/, '{"x":$1}');
  const i = Math.floor(r() * src.length);
  return src.slice(0, i) + '[{' + src.slice(i);
}

