// GET <path>: 200 when every pipeline runs, 503 with JSON reasons otherwise. POST /reload when
// enabled, for a client presenting the bearer token of token_file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CreateSettings, Extension, ExtensionHost } from '../../src/component/component.js';
import type { ServiceView } from '../../src/component/service-view.js';
import { DeliveryWatch } from '../../src/service/status.js';
import { listenHttp, type HardenedServer } from '../../src/net/http-server.js';
import { bearerToken, openTokenFile, type TokenFile } from '../../src/security/token.js';
import type { Config } from './config.js';

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body) + '\n');
}

export class HealthCheck implements Extension {
  private server?: HardenedServer;
  private service?: ServiceView;
  private watch?: DeliveryWatch;
  private sampler?: NodeJS.Timeout;
  private token?: TokenFile;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
  ) {}

  private windowMs(): number {
    const c = this.cfg.check_collector_pipeline;
    return c?.enabled ? c.interval : this.cfg.exporter_stall_window;
  }

  async start(host: ExtensionHost): Promise<void> {
    this.service = host.service;
    if (this.cfg.enable_reload) {
      // Refuses to start (naming the file) rather than serve reloads behind a token others can read.
      this.token = openTokenFile(this.cfg.token_file);
      this.set.logger.info({ token_file: this.token.path, created: this.token.created }, 'POST /reload needs the bearer token in token_file');
    }
    if (this.windowMs() > 0) {
      this.watch = new DeliveryWatch(this.set.telemetry.registry, this.windowMs());
      this.sampler = setInterval(() => this.watch!.sample(), 1000);
      this.sampler.unref();
    }
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url?.split('?')[0];
      if (url === '/reload' && this.token) {
        this.reload(req, res);
        return;
      }
      if (url !== this.cfg.path) {
        res.writeHead(404).end();
        return;
      }
      const h = this.service!.health();
      const reasons = [...h.reasons, ...(this.watch?.stalled() ?? [])];
      const healthy = reasons.length === 0;
      const custom = healthy ? this.cfg.response_body?.healthy : this.cfg.response_body?.unhealthy;
      const body = custom ?? JSON.stringify({ status: healthy ? 'Server available' : 'Server not available', healthy, reasons }) + '\n';
      res.writeHead(healthy ? 200 : 503, { 'content-type': custom ? 'text/plain' : 'application/json' }).end(body);
    };
    const l = await listenHttp({
      endpoint: this.cfg.endpoint,
      emptyHost: '127.0.0.1',
      configKey: `extensions::${this.set.id.id}::endpoint`,
      listener: `${this.set.id.id} (health_check)`,
      logger: this.set.logger,
      telemetry: this.set.telemetry,
      handler,
    });
    this.server = l;
  }

  private reload(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const presented = bearerToken(req.headers.authorization);
    if (presented === undefined || !this.token!.matches(presented)) {
      json(res, 401, { applied: false, errors: ['POST /reload needs the bearer token of the health_check token_file'] }, { 'www-authenticate': 'Bearer' });
      return;
    }
    // The reply says what the agent says (config errors with positions, never internal names).
    this.service!.requestReload().then(
      (r) => json(res, r.applied ? 200 : 400, r),
      () => json(res, 500, { applied: false, errors: ['the reload failed; see the agent log'] }),
    );
  }

  async shutdown(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    const s = this.server;
    this.server = undefined;
    // Not awaited: the POST /reload that triggered this shutdown is still to be answered (in a
    // reload the listener is handed to the new instance anyway).
    if (s) void s.close(5000);
  }
}
