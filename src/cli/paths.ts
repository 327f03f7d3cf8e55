import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Args } from './args.js';

/** The package root (where package.json is), from dist/ or src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function defaultConfigPath(): string {
  return join(packageRoot(), 'config', 'default.yaml');
}

/** The --config files, or the default config when none is given. */
export function configFiles(args: Args): string[] {
  return args.configs.length > 0 ? args.configs : [defaultConfigPath()];
}
