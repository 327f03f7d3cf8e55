import type { ClientAuthenticator } from '../../src/auth/auth.js';
import type { Config } from './index.js';

export class HeadersSetter implements ClientAuthenticator {
  readonly clientAuth = true;
  constructor(private readonly cfg: Config) {}
  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  headers(current: Readonly<Record<string, string>>): Record<string, string | undefined> {
    const has = (k: string) => Object.keys(current).some((x) => x.toLowerCase() === k.toLowerCase());
    const out: Record<string, string | undefined> = {};
    for (const h of this.cfg.headers) {
      const present = has(h.key) || h.key in out;
      const value = h.value ?? h.default_value;
      if (h.action === 'delete') out[h.key] = undefined;
      else if (h.action === 'insert' && !present) out[h.key] = value;
      else if (h.action === 'update' && present) out[h.key] = value;
      else if (h.action === 'upsert') out[h.key] = value;
    }
    return out;
  }
}
