// The snappy addon costs ~5 MiB of RSS: loaded on first use (remote-write), not at start-up.
import { createRequire } from 'node:module';

type Snappy = typeof import('snappy');
let mod: Snappy | undefined;

export function snappy(): Snappy {
  mod ??= createRequire(import.meta.url)('snappy') as Snappy;
  return mod;
}
