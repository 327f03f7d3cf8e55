// zpages: /debug/servicez, pipelinez, extensionz, featurez as HTML (or JSON with ?format=json).
import { createServer, type Server } from 'node:http';
import type { CreateSettings, Extension, ExtensionHost } from '../../src/component/component.js';
import type { ServiceView } from '../../src/component/service-view.js';
import { mustParseEndpoint } from '../../src/util/endpoint.js';
import { isLoopbackHost, refuseRequest } from '../../src/util/local-http.js';
import type { Config } from './config.js';
import { html, json, type PageName } from './pages.js';
import { listenError } from '../../src/net/listen-error.js';

const PAGES = new Set<string>(['servicez', 'pipelinez', 'extensionz', 'featurez']);

export class ZPages implements Extension {
  private server?: Server;
  port = 0;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
  ) {}

  async start(host: ExtensionHost): Promise<void> {
    const service = host.service;
    const token = this.cfg.token ? Buffer.from(this.cfg.token) : undefined;
    const { host: h, port } = mustParseEndpoint(this.cfg.endpoint, '127.0.0.1');
    if (!isLoopbackHost(h) && !token)
      this.set.logger.warn({ endpoint: this.cfg.endpoint }, 'zpages listens beyond loopback without a token: only loopback clients are served; set token to serve others');
    const server = createServer((req, res) => {
      const refused = refuseRequest(req, token);
      if (refused) return void res.writeHead(refused.status, { 'content-type': 'text/plain' }).end(refused.message + '\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET' }).end();
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname.replace(/\/+$/, '');
      if (path === '' || path === '/debug') return void res.writeHead(302, { location: '/debug/servicez' }).end();
      const name = path.startsWith('/debug/') ? path.slice(7) : '';
      if (name === 'tracez' || name === 'rpcz')
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`${name}: telemd does not trace itself; its own metrics are on the self-metrics endpoint\n`);
      if (!PAGES.has(name)) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page; see /debug/servicez\n');
      const data = this.data(service);
      const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
      if (url.searchParams.get('format') === 'json')
        res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(json(name as PageName, data)) + '\n');
      else res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }).end(html(name as PageName, data));
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => reject(listenError(err, { listener: `${this.set.id.id} (zpages)`, address: this.cfg.endpoint, configKey: `extensions::${this.set.id.id}::endpoint` }));
      server.once('error', fail);
      server.listen(port, h, () => {
        server.off('error', fail);
        resolve();
      });
    });
    const a = server.address();
    this.port = typeof a === 'object' && a ? a.port : port;
    this.server = server;
    this.set.logger.info({ endpoint: `${h}:${this.port}` }, 'zpages serving /debug/servicez, pipelinez, extensionz, featurez');
  }

  private data(service: ServiceView) {
    return { pipelines: service.pipelines(), nodes: service.graph().nodes, health: service.health() };
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  }
}
