import { timingSafeEqual } from 'node:crypto';
import type { CreateSettings } from '../../src/component/component.js';
import { header, type AuthOutcome, type ClientAuthenticator, type RequestHeaders, type ServerAuthenticator } from '../../src/auth/auth.js';
import { SecretFile } from '../../src/auth/secret-file.js';
import type { Config } from './index.js';

export class BearerTokenAuth implements ServerAuthenticator, ClientAuthenticator {
  readonly serverAuth = true;
  readonly clientAuth = true;
  private file?: SecretFile;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
  ) {}

  async start(): Promise<void> {
    if (this.cfg.filename) {
      this.file = new SecretFile(this.cfg.filename);
      if (this.cfg.token !== undefined) this.set.logger.warn({ filename: this.cfg.filename }, 'bearertokenauth: both token and filename are set; the file wins (as in the Collector)');
    }
  }

  async shutdown(): Promise<void> {}

  private expected(): string {
    const token = this.file ? this.file.get() : (this.cfg.token ?? '');
    return this.cfg.scheme ? `${this.cfg.scheme} ${token}` : token;
  }

  authenticate(h: RequestHeaders): AuthOutcome {
    const got = Buffer.from(header(h, this.cfg.header) ?? '');
    const want = Buffer.from(this.expected());
    if (got.length === 0) return { ok: false, message: `missing ${this.cfg.header} header` };
    if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, message: 'invalid bearer token' };
    return { ok: true, attributes: {} };
  }

  headers(): Record<string, string> {
    return { [this.cfg.header]: this.expected() };
  }
}
