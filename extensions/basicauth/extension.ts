import { readFileSync } from 'node:fs';
import type { CreateSettings } from '../../src/component/component.js';
import { header, type AuthOutcome, type ClientAuthenticator, type RequestHeaders, type ServerAuthenticator } from '../../src/auth/auth.js';
import { SecretFile } from '../../src/auth/secret-file.js';
import { parseHtpasswd, type Verifier } from './htpasswd.js';
import type { Config } from './index.js';

export class BasicAuth implements ServerAuthenticator, ClientAuthenticator {
  readonly serverAuth = true;
  readonly clientAuth = true;
  private users = new Map<string, Verifier>();
  private userFile?: SecretFile;
  private passFile?: SecretFile;

  constructor(
    _set: CreateSettings,
    private readonly cfg: Config,
  ) {}

  async start(): Promise<void> {
    const h = this.cfg.htpasswd;
    if (h) {
      const errors: string[] = [];
      if (h.file !== undefined) {
        let text: string;
        try {
          text = readFileSync(h.file, 'utf8');
        } catch (e) {
          throw new Error(`htpasswd.file ${h.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        const r = parseHtpasswd(text, `htpasswd.file ${h.file}`);
        errors.push(...r.errors);
        for (const [u, v] of r.users) this.users.set(u, v);
      }
      if (h.inline !== undefined) {
        const r = parseHtpasswd(h.inline, 'htpasswd.inline');
        errors.push(...r.errors);
        for (const [u, v] of r.users) this.users.set(u, v);
      }
      if (errors.length) throw new Error(errors.join('; '));
    }
    const c = this.cfg.client_auth;
    if (c?.username_file) this.userFile = new SecretFile(c.username_file);
    if (c?.password_file) this.passFile = new SecretFile(c.password_file);
  }

  async shutdown(): Promise<void> {}

  authenticate(h: RequestHeaders): AuthOutcome {
    if (!this.cfg.htpasswd) return { ok: false, message: 'this basicauth extension has no htpasswd (it is a client authenticator)' };
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec((header(h, 'authorization') ?? '').trim());
    if (!m) return { ok: false, message: 'missing or malformed Basic authorization' };
    const raw = Buffer.from(m[1]!, 'base64').toString('utf8');
    const c = raw.indexOf(':');
    if (c < 0) return { ok: false, message: 'malformed Basic credentials' };
    const user = raw.slice(0, c);
    const verify = this.users.get(user);
    if (!verify || !verify(raw.slice(c + 1))) return { ok: false, message: 'invalid username or password' };
    return { ok: true, attributes: { username: user } };
  }

  headers(): Record<string, string> {
    const c = this.cfg.client_auth;
    if (!c) return {};
    const user = this.userFile ? this.userFile.get() : (c.username ?? '');
    const pass = this.passFile ? this.passFile.get() : (c.password ?? '');
    return { Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
  }
}
