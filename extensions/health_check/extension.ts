// GET <path>: 200 when every pipeline runs, 503 with JSON reasons otherwise. POST /reload.
import type { Server } from 'node:http';
import type { CreateSettings, Extension, ExtensionHost } from '../../src/component/component.js';
import type { ServiceView } from '../../src/component/service-view.js';
import { DeliveryWatch } from '../../src/service/status.js';
import { listenHttp } from '../../src/net/http-server.js';
import type { Config } from './config.js';

export class HealthCheck implements Extension {
  private server?: Server;
  private service?: ServiceView;
  private watch?: DeliveryWatch;
  private sampler?: NodeJS.Timeout;

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
    if (this.windowMs() > 0) {
      this.watch = new DeliveryWatch(this.set.telemetry.registry, this.windowMs());
      this.sampler = setInterval(() => this.watch!.sample(), 1000);
      this.sampler.unref();
    }
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      const url = req.url?.split('?')[0];
      if (url === '/reload' && this.cfg.enable_reload) {
        if (req.method !== 'POST') {
          res.writeHead(405, { allow: 'POST' }).end();
          return;
        }
        this.service!.requestReload().then(
          (r) => res.writeHead(r.applied ? 200 : 400, { 'content-type': 'application/json' }).end(JSON.stringify(r) + '\n'),
          (err: unknown) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ applied: false, errors: [String(err)] }) + '\n'),
        );
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
    this.server = l.server;
  }

  async shutdown(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    const s = this.server;
    this.server = undefined;
    if (s) {
      // Stop listening now (a reload binds the port again) but let in-flight answers finish:
      // the POST /reload that triggered this shutdown is one of them.
      s.close();
      s.closeIdleConnections();
      setTimeout(() => s.closeAllConnections(), 5000).unref();
    }
  }
}
