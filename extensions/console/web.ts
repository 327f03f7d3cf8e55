// The web console's pages: the static app (built by scripts/build.mjs into dist/console/, read
// from disk per request so a closed page costs no memory), the /login exchange of a one-time
// token for a session cookie, and the session routes. Nothing here runs unless a browser asks.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, type JsonRoute } from '../../src/console/api.js';
import type { Session, Sessions } from './session.js';

/** The app's Content-Security-Policy: its own scripts, styles and API only. */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const NOTE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** dist/console next to the bundle (dist/telemd.js), or in the checkout when run from source. */
export function findAssetDir(): string | undefined {
  const candidates = [new URL('./console/', import.meta.url), new URL('../../dist/console/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

function note(res: ServerResponse, status: number, title: string, text: string, headers: Record<string, string> = {}): void {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><title>telemd console: ${esc(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#8882;padding:.1em .3em;border-radius:3px}</style></head>
<body><h1>${esc(title)}</h1><p>${esc(text).replace(/`([^`]+)`/g, '<code>$1</code>')}</p></body></html>`;
  res.writeHead(status, { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': NOTE_CSP, 'content-length': Buffer.byteLength(html), ...headers }).end(html);
}

const LOGIN_HINT = 'Run `telemd console` on this host (as the agent\'s user, or with sudo) and open the URL it prints; `telemd console --open` opens it for you. The link works once.';

export class WebPages {
  constructor(
    private readonly sessions: Sessions,
    private readonly assetDir: () => string | undefined,
    private readonly onLoginRefused: () => void,
  ) {}

  /** Whether the path is the app's (pages and assets), answered by serve() instead of the API table. */
  static owns(path: string): boolean {
    return path === '/' || path === '/login' || path === '/logout' || path === '/favicon.ico' || path.startsWith('/assets/');
  }

  /** `authed`: the request carries a valid session (or the bearer token). */
  async serve(req: IncomingMessage, res: ServerResponse, path: string, url: URL, authed: boolean): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/login') return this.login(res, url);
    if (path === '/logout') return note(res, 200, 'Logged out', LOGIN_HINT, { 'set-cookie': this.sessions.clearCookie() });
    if (!authed) {
      if (path === '/') return note(res, 401, 'Log in to the telemd console', LOGIN_HINT);
      res.writeHead(401, { ...PAGE_HEADERS, 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('log in first (telemd console)\n');
      return;
    }
    const dir = this.assetDir();
    if (!dir) return note(res, 503, 'The web console is not built', 'This telemd was installed without its web assets; run `npm run build` in its folder.');
    if (path === '/') return this.file(req, res, join(dir, 'index.html'), 'no-store');
    if (path === '/favicon.ico') {
      res.writeHead(204, { 'cache-control': 'max-age=86400' }).end();
      return;
    }
    const name = path.slice('/assets/'.length);
    if (!/^[\w-]+(\.[\w-]+)*$/.test(name)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    // Names carry a content hash: a browser keeps them for good (warm loads fetch only the page).
    return this.file(req, res, join(dir, 'assets', name), 'private, max-age=31536000, immutable');
  }

  private login(res: ServerResponse, url: URL): void {
    const token = url.searchParams.get('token') ?? '';
    const done = token ? this.sessions.login(token) : undefined;
    if (!done) {
      this.onLoginRefused();
      return note(res, 401, 'This login link is not valid', `It was used already, has expired, or was never issued. ${LOGIN_HINT}`);
    }
    // 303 to / drops the token from the address bar and the history. `next` may name a page of
    // the app (`#/host?range=1h`), nothing else: no redirect elsewhere.
    const next = url.searchParams.get('next') ?? '';
    const location = /^#\/[\w/?=&%.,:~-]*$/.test(next) ? `/${next}` : '/';
    res.writeHead(303, { ...PAGE_HEADERS, location, 'cache-control': 'no-store', 'set-cookie': this.sessions.setCookie(done.cookie, done.session.expiresAt - Date.now()) }).end();
  }

  private async file(req: IncomingMessage, res: ServerResponse, path: string, cache: string): Promise<void> {
    const ext = path.slice(path.lastIndexOf('.'));
    const type = TYPES[ext] ?? 'application/octet-stream';
    const gzipOk = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    let body: Buffer | undefined;
    let gz = false;
    if (gzipOk) {
      body = await readFile(`${path}.gz`).catch(() => undefined);
      gz = body !== undefined;
    }
    body ??= await readFile(path).catch(() => undefined);
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      ...PAGE_HEADERS,
      'content-type': type,
      'content-length': body.length,
      'cache-control': cache,
      vary: 'Accept-Encoding',
      ...(gz ? { 'content-encoding': 'gzip' } : {}),
      ...(ext === '.html' ? { 'content-security-policy': PAGE_CSP } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

/** /api/v1/session: who is logged in and the CSRF token; login tokens for the CLI; logout. */
export function sessionRoutes(sessions: Sessions, sessionOf: (req: IncomingMessage) => Session | undefined, loginTtlMs: number): JsonRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/session',
      access: 'read',
      description: 'the browser session: user, expiry and the CSRF token state-changing requests send as X-CSRF-Token',
      handle: (req) => {
        const s = req.principal.kind === 'session' ? sessionOf(req.raw) : undefined;
        return { data: s ? { kind: 'session', user: s.user, expires: new Date(s.expiresAt).toISOString(), csrf_token: sessions.csrf(s) } : { kind: req.principal.kind, user: req.principal.name } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/session/login_token',
      access: 'write',
      description: 'a one-time login link for the browser (bearer token only; telemd console asks for it)',
      handle: (req) => {
        if (req.principal.kind !== 'token') throw new ApiError('bad_data', 'login links are issued to the bearer token (telemd console), not to a browser session', 403);
        const body = (req.body ?? {}) as { user?: unknown };
        const user = typeof body.user === 'string' ? body.user : (req.form.get('user') ?? 'console');
        const t = sessions.issueLogin(user);
        return { data: { path: `/login?token=${t.token}`, expires: new Date(t.expiresAt).toISOString(), ttl_seconds: Math.round(loginTtlMs / 1000) } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/session/logout',
      access: 'write',
      description: 'end the browser session',
      handle: (req) => {
        const s = sessionOf(req.raw);
        if (s) sessions.logout(s);
        return { data: { logged_out: s !== undefined } };
      },
    },
  ];
}
