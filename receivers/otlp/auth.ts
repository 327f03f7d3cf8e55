import { readFileSync } from 'node:fs';
import type { AuthConfig } from './config.js';

/** The expected bearer token, or undefined when auth is off. */
export function loadToken(auth: AuthConfig | undefined): Buffer | undefined {
  if (!auth) return undefined;
  if (auth.bearer_token) return Buffer.from(auth.bearer_token);
  if (auth.bearer_token_file) {
    try {
      return Buffer.from(readFileSync(auth.bearer_token_file, 'utf8').trim());
    } catch (e) {
      throw new Error(`cannot read bearer_token_file ${auth.bearer_token_file}: ${(e as Error).message}`);
    }
  }
  return undefined;
}
