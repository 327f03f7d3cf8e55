// Browser sessions of the web console, like Jupyter's login: `telemd console` (holding the bearer
// token) asks for a one-time login token, the browser trades it at /login for a session cookie
// (HttpOnly, SameSite=Strict), and state-changing requests also carry a CSRF token the page gets
// from /api/v1/session. Cookies are signed with a key derived from the bearer token, so they
// survive agent restarts and reloads and all die when the token is rotated.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TokenFile } from '../../src/security/token.js';

export interface Session {
  readonly id: string;
  /** Shown as who acknowledged an alert. */
  readonly user: string;
  readonly expiresAt: number;
}

interface LoginToken {
  user: string;
  expiresAt: number;
}

const MAX_LOGIN_TOKENS = 64;
const b64 = (b: Buffer) => b.toString('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

export class Sessions {
  private readonly logins = new Map<string, LoginToken>();
  /** Logged-out session ids until their cookie would have expired anyway (kept in memory only). */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly token: TokenFile,
    /** Cookie name; the port is part of it so two agents on one host keep their sessions apart. */
    readonly cookieName: string,
    private readonly loginTtlMs: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token for one login within the TTL. `user` is who asked (the CLI's OS user). */
  issueLogin(user: string): { token: string; expiresAt: number } {
    this.sweep();
    // A flood of requests (all with the bearer token) cannot grow this without bound.
    while (this.logins.size >= MAX_LOGIN_TOKENS) this.logins.delete(this.logins.keys().next().value!);
    const token = b64(randomBytes(24));
    const expiresAt = this.now() + this.loginTtlMs;
    this.logins.set(token, { user: user.replace(/[^\w.@-]/g, '').slice(0, 64) || 'console', expiresAt });
    return { token, expiresAt };
  }

  /** Trades a login token (once) for a session cookie value; undefined when unknown, used or expired. */
  login(token: string): { cookie: string; session: Session } | undefined {
    this.sweep();
    let hit: [string, LoginToken] | undefined;
    for (const e of this.logins) if (sameText(e[0], token)) hit = e;
    if (!hit) return undefined;
    this.logins.delete(hit[0]);
    if (hit[1].expiresAt <= this.now()) return undefined;
    const session: Session = { id: b64(randomBytes(16)), user: hit[1].user, expiresAt: this.now() + this.maxAgeMs };
    return { cookie: this.sign(session), session };
  }

  private mac(text: string): string {
    return b64(createHmac('sha256', this.token.derive('console-session')).update(text).digest());
  }

  private sign(s: Session): string {
    const body = `v1.${s.id}.${Math.floor(s.expiresAt / 1000)}.${Buffer.from(s.user).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The session of a request's cookie, if it carries a valid, unexpired, not revoked one. */
  fromRequest(req: IncomingMessage): Session | undefined {
    const value = readCookie(req.headers.cookie, this.cookieName);
    if (!value) return undefined;
    const parts = value.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') return undefined;
    const body = parts.slice(0, 4).join('.');
    if (!sameText(this.mac(body), parts[4]!)) return undefined;
    const expiresAt = Number(parts[2]) * 1000;
    if (!Number.isFinite(expiresAt) || expiresAt <= this.now()) return undefined;
    if (this.revoked.has(parts[1]!)) return undefined;
    return { id: parts[1]!, user: Buffer.from(parts[3]!, 'base64url').toString('utf8'), expiresAt };
  }

  /** The CSRF token of a session: state-changing requests send it in `X-CSRF-Token`. */
  csrf(s: Session): string {
    return this.mac(`csrf.${s.id}`);
  }

  csrfMatches(s: Session, candidate: string | undefined): boolean {
    return candidate !== undefined && sameText(this.csrf(s), candidate);
  }

  logout(s: Session): void {
    this.revoked.set(s.id, s.expiresAt);
  }

  setCookie(value: string, maxAgeMs: number): string {
    return `${this.cookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`;
  }

  clearCookie(): string {
    return `${this.cookieName}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, v] of this.logins) if (v.expiresAt <= t) this.logins.delete(k);
    for (const [k, exp] of this.revoked) if (exp <= t) this.revoked.delete(k);
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
