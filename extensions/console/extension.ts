// The console: one hardened listener, one gate (Host, Origin, bearer token or session) in front of a route
// table — its own routes (Prometheus API, status, tap) and those other components register
// through src/console/routes.ts (alerts, SLOs, pages).
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CreateSettings, Extension, ExtensionHost } from '../../src/component/component.js';
import type { Tap, TapView } from '../../src/component/service-view.js';
import { ApiError, type ApiRequest, type ConsoleRoute, type HttpMethod, type JsonRoute, type Principal } from '../../src/console/api.js';
import { registeredRoutes } from '../../src/console/routes.js';
import { listenHttp, type HardenedServer } from '../../src/net/http-server.js';
import type { Counter } from '../../src/telemetry/self.js';
import { isLoopbackHost } from '../../src/util/local-http.js';
import { openStores } from '../../src/tsdb/registry.js';
import type { Config } from './config.js';
import { parseRequest, sendError, sendText } from './http.js';
import { historyRoutes, type HistorySource } from './prom-api.js';
import { statusRoutes } from './status.js';
import { tapRoute, type TapRoute } from './tap.js';
import { TapSockets } from './tap-ws.js';
import { bearerToken, openTokenFile, type TokenFile } from '../../src/security/token.js';
import { Sessions } from './session.js';
import { findAssetDir, sessionRoutes, WebPages } from './web.js';

export type RefusalReason = 'no_token' | 'bad_token' | 'origin' | 'host' | 'csrf' | 'login';

export interface ConsoleDeps {
  /** The history stores running in this agent (default: the tsdb registry). */
  stores?: () => readonly HistorySource[];
}

interface Match {
  route: ConsoleRoute;
  params: Record<string, string>;
  owner: string;
}

const METHODS = new Set<string>(['GET', 'POST', 'PUT', 'DELETE']);
const methodsOf = (r: ConsoleRoute): readonly HttpMethod[] => (typeof r.method === 'string' ? [r.method] : r.method);

/** `{name}` segments match one non-empty segment each. */
function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (p[i] === '') return undefined;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(p[i]!);
      } catch {
        return undefined;
      }
    } else if (seg !== p[i]) return undefined;
  }
  return params;
}

export class Console implements Extension {
  private server?: HardenedServer;
  private token?: TokenFile;
  private builtins: ConsoleRoute[] = [];
  private readonly refusals = new Map<RefusalReason, Counter>();
  private readonly requests = new Map<string, Counter>();
  private readonly openTaps = new Set<Tap>();
  private warnedConflicts = new Set<string>();
  private sessions?: Sessions;
  private pages?: WebPages;
  private tap?: TapRoute;
  private readonly tapSockets = new TapSockets();

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
    private readonly deps: ConsoleDeps = {},
  ) {}

  get port(): number {
    return this.server?.port ?? 0;
  }

  async start(host: ExtensionHost): Promise<void> {
    const log = this.set.logger;
    this.token = openTokenFile(this.cfg.token_file);
    if (this.token.created) log.info({ token_file: this.cfg.token_file }, 'console: created a new token file (mode 0600)');
    const service = host.service;
    const stores = this.deps.stores ?? openStores;
    const taps = (): TapView => service.taps;
    this.tap = tapRoute(this.cfg, service, taps, this.set.telemetry, this.openTaps);
    this.builtins = [...historyRoutes(this.cfg, stores), ...statusRoutes(service), this.tap, this.routesRoute()];
    let assets: string | undefined | null = null;
    const assetDir = () => (assets === null ? (assets = findAssetDir()) : assets);
    this.server = await listenHttp({
      endpoint: this.cfg.endpoint,
      emptyHost: '0.0.0.0',
      configKey: `extensions::${this.set.id.id}::endpoint`,
      listener: 'console',
      logger: log,
      telemetry: this.set.telemetry,
      limits: this.cfg,
      handler: (req, res) => void this.serve(req, res),
    });
    this.server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    this.sessions = new Sessions(this.token, `telemd_console_${this.server.port}`, this.cfg.session.login_ttl, this.cfg.session.max_age);
    this.pages = new WebPages(this.sessions, assetDir, () => this.countRefusal('login'));
    this.builtins.push(...sessionRoutes(this.sessions, (r) => this.sessions!.fromRequest(r), this.cfg.session.login_ttl));
    const where = `${this.server.host.includes(':') ? `[${this.server.host}]` : this.server.host}:${this.server.port}`;
    log.info(
      { endpoint: where, token_file: this.cfg.token_file },
      `console listening on http://${where} (token in ${this.cfg.token_file}; try: telemd query 'up' or curl -H "Authorization: Bearer $(cat ${this.cfg.token_file})" http://${where}/api/v1/status/components)`,
    );
  }

  private routesRoute(): JsonRoute {
    return {
      method: 'GET',
      path: '/api/v1/status/routes',
      access: 'read',
      description: 'every route of the console, with its owner',
      handle: () => ({
        data: [
          ...this.builtins.flatMap((r) => methodsOf(r).map((m) => ({ method: m, path: r.path, access: r.access, owner: this.set.id.id, description: r.description }))),
          ...registeredRoutes().map((r) => ({ method: r.method, path: r.route.path, access: r.route.access, owner: r.owner, description: r.route.description })),
        ],
      }),
    };
  }

  private countRefusal(reason: RefusalReason): void {
    let c = this.refusals.get(reason);
    if (!c) {
      c = this.set.telemetry.counter('telemd_console_refused_requests_total', 'Console requests refused: no or wrong bearer token or session, a foreign Origin, a non-local Host, a missing CSRF token, an invalid login link', { reason });
      this.refusals.set(reason, c);
    }
    c.add();
  }

  private refuse(res: ServerResponse, status: 401 | 403, reason: RefusalReason, message: string): void {
    this.countRefusal(reason);
    sendError(res, new ApiError('bad_data', message, status), status === 401 ? { 'www-authenticate': 'Bearer realm="telemd console"' } : {});
  }

  private countRequest(route: string, status: number): void {
    const key = `${route} ${status}`;
    let c = this.requests.get(key);
    if (!c) {
      c = this.set.telemetry.counter('telemd_console_requests_total', 'Console requests answered, by route and status', { route, code: String(status) });
      this.requests.set(key, c);
    }
    c.add();
  }

  /** Host (DNS rebinding), Origin and Sec-Fetch-Site (cross-site pages): false when refused. */
  private siteOk(req: IncomingMessage, res: ServerResponse): boolean {
    const hostHeader = req.headers.host ?? '';
    const hostname = hostHeader.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const bound = this.server?.host ?? '';
    if (isLoopbackHost(bound) && !isLoopbackHost(hostname) && hostname !== bound) {
      this.refuse(res, 403, 'host', `Host ${JSON.stringify(hostHeader)} is not a name of this loopback console`);
      return false;
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      const own = `http://${hostHeader}`;
      if (origin !== own) {
        this.refuse(res, 403, 'origin', `Origin ${JSON.stringify(origin)} is not the console's own (${own}): cross-site requests are refused`);
        return false;
      }
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      this.refuse(res, 403, 'origin', `Sec-Fetch-Site ${JSON.stringify(site)}: cross-site requests are refused`);
      return false;
    }
    return true;
  }

  /** The bearer token (or Basic password), else a browser session cookie. */
  private authenticate(req: IncomingMessage, res: ServerResponse): Principal | undefined {
    const auth = req.headers.authorization;
    if (auth === undefined) {
      const s = this.sessions?.fromRequest(req);
      if (s) return { kind: 'session', name: s.user };
    }
    const m = auth ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth) : null;
    // Clients that can only send Basic auth (promtool 2.42 with http://user:TOKEN@host, old
    // Grafana setups): the token as the password, any user name.
    const basic = !m && auth ? /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(auth) : null;
    if (basic) {
      const pair = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = pair.indexOf(':');
      if (colon >= 0 && this.token!.matches(pair.slice(colon + 1))) return { kind: 'token', name: pair.slice(0, colon) || 'token' };
      this.refuse(res, 401, 'bad_token', 'invalid credentials (the password must be the console token)');
      return undefined;
    }
    if (!m) {
      this.refuse(res, 401, 'no_token', `missing "Authorization: Bearer <token>" (the token is in ${this.cfg.token_file}) or a browser session (telemd console)`);
      return undefined;
    }
    if (!this.token!.matches(m[1]!)) {
      this.refuse(res, 401, 'bad_token', 'invalid bearer token');
      return undefined;
    }
    return { kind: 'token', name: 'token' };
  }

  private find(method: string, path: string): { match?: Match; allowed: HttpMethod[] } {
    const allowed: HttpMethod[] = [];
    const candidates: { route: ConsoleRoute; owner: string }[] = [
      ...this.builtins.map((route) => ({ route, owner: this.set.id.id })),
      ...registeredRoutes().map((r) => ({ route: r.route, owner: r.owner })),
    ];
    let match: Match | undefined;
    for (const c of candidates) {
      const params = matchPath(c.route.path, path);
      if (!params) continue;
      const ms = methodsOf(c.route);
      if (ms.includes(method as HttpMethod)) {
        if (!match) match = { route: c.route, params, owner: c.owner };
        else if (c.owner !== match.owner && !this.warnedConflicts.has(`${method} ${c.route.path}`)) {
          this.warnedConflicts.add(`${method} ${c.route.path}`);
          this.set.logger.warn({ route: c.route.path, owner: c.owner, served_by: match.owner }, 'console: a registered route is shadowed by another');
        }
      } else allowed.push(...ms);
    }
    return { match, allowed };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let route = 'unmatched';
    try {
      if (!this.siteOk(req, res)) return;
      const url = new URL(req.url ?? '/', 'http://console.invalid');
      const method = req.method ?? 'GET';
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      if (WebPages.owns(path)) {
        route = path.startsWith('/assets/') ? '/assets' : path;
        const bearer = bearerToken(req.headers.authorization);
        const authed = this.sessions?.fromRequest(req) !== undefined || (bearer !== undefined && this.token!.matches(bearer));
        await this.pages!.serve(req, res, path, url, authed);
        this.countRequest(route, res.statusCode);
        return;
      }
      const principal = this.authenticate(req, res);
      if (!principal) return;
      const { match, allowed } = METHODS.has(method) ? this.find(method, path) : { match: undefined, allowed: [...METHODS] as HttpMethod[] };
      if (!match) {
        if (allowed.length) {
          const allow = [...new Set(allowed)].join(', ');
          return void sendError(res, new ApiError('bad_data', `method ${method} not allowed on ${path} (allowed: ${allow})`, 405), { allow });
        }
        throw new ApiError('not_found', `no route ${method} ${path} (GET /api/v1/status/routes lists them)`);
      }
      route = match.route.path;
      // A browser session changes state only with its CSRF token (the bearer token is no cookie:
      // a foreign page cannot make the browser send it).
      if (principal.kind === 'session' && match.route.access === 'write') {
        const s = this.sessions!.fromRequest(req);
        const sent = req.headers['x-csrf-token'];
        if (!s || !this.sessions!.csrfMatches(s, typeof sent === 'string' ? sent : undefined))
          return this.refuse(res, 403, 'csrf', 'missing or wrong X-CSRF-Token for this session (GET /api/v1/session gives it)');
      }
      const { form, body } = await parseRequest(req, url);
      const ac = new AbortController();
      res.on('close', () => ac.abort());
      const request: ApiRequest = { method: method as HttpMethod, path, params: match.params, form, body, principal, signal: ac.signal, raw: req };
      if ('raw' in match.route) {
        await match.route.handle(request, res);
        this.countRequest(route, res.statusCode);
        return;
      }
      const out = await match.route.handle(request);
      const status = out.status ?? 200;
      const data = out.dataJson ?? JSON.stringify(out.data ?? null);
      const warnings = out.warnings?.length ? `,"warnings":${JSON.stringify(out.warnings)}` : '';
      sendText(res, status, `{"status":"success","data":${data}${warnings}}`);
      this.countRequest(route, status);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('internal', err instanceof Error ? err.message : String(err));
      if (!(err instanceof ApiError)) this.set.logger.error({ err, route }, 'console: a route failed');
      sendError(res, e);
      this.countRequest(route, e.status);
    }
  }

  /**
   * An `Upgrade` request: only `GET /api/v1/tap` as WebSocket, behind the same gate as every
   * request (Host, Origin — a browser always sends it on a WebSocket — token or session).
   * Refusals and errors are HTTP answers on the socket, counted as the others.
   */
  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => {
      res.detachSocket(socket as Socket);
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
    const route = '/api/v1/tap (websocket)';
    let detached = false;
    try {
      if (!this.siteOk(req, res)) return;
      const url = new URL(req.url ?? '/', 'http://console.invalid');
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      if (path !== '/api/v1/tap') throw new ApiError('not_found', `no WebSocket route ${path} (GET /api/v1/tap is the only one)`);
      if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new ApiError('bad_data', `Upgrade ${JSON.stringify(req.headers.upgrade)} is not served (only websocket)`);
      if (req.method !== 'GET') return void sendError(res, new ApiError('bad_data', `method ${req.method} not allowed on ${path} (allowed: GET)`, 405), { allow: 'GET' });
      const principal = this.authenticate(req, res);
      if (!principal) return;
      const tap = this.tap!.open(url.searchParams);
      res.detachSocket(socket as Socket);
      res.removeAllListeners('finish');
      detached = true;
      await this.tapSockets.accept(req, socket, head, tap);
      this.countRequest(route, 101);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('internal', err instanceof Error ? err.message : String(err));
      if (!(err instanceof ApiError)) this.set.logger.error({ err, route }, 'console: a WebSocket upgrade failed');
      if (detached) socket.destroy();
      else if (!res.headersSent && !socket.destroyed) sendError(res, e);
      this.countRequest(route, e.status);
    }
  }

  async shutdown(): Promise<void> {
    this.tapSockets.closeAll();
    for (const t of this.openTaps) t.close();
    this.openTaps.clear();
    const s = this.server;
    this.server = undefined;
    await s?.close(2000);
  }
}
