// pprof: GET /debug/pprof/profile?seconds=N (CPU profile) and /debug/pprof/heap (heap snapshot)
// of the agent's own Node.js process, on demand. The formats are V8's (open them in Chrome
// DevTools or speedscope), not Go's pprof protobuf.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { CreateSettings, Extension } from '../../src/component/component.js';
import { mustParseEndpoint } from '../../src/util/endpoint.js';
import { isLoopbackHost, refuseRequest } from '../../src/util/local-http.js';
import type { Config } from './config.js';
import { Profiler } from './profiler.js';
import { listenError } from '../../src/net/listen-error.js';

const INDEX = `telemd pprof (V8 profiles of the agent process)
  GET /debug/pprof/profile?seconds=30   CPU profile, .cpuprofile JSON (Chrome DevTools, speedscope)
  GET /debug/pprof/heap                 heap snapshot, .heapsnapshot JSON (Chrome DevTools Memory tab)
`;

export class PprofExtension implements Extension {
  private server?: Server;
  private profiler = new Profiler();
  port = 0;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
  ) {}

  async start(): Promise<void> {
    const token = this.cfg.token ? Buffer.from(this.cfg.token) : undefined;
    const { host, port } = mustParseEndpoint(this.cfg.endpoint, '127.0.0.1');
    if (!isLoopbackHost(host) && !token)
      this.set.logger.warn({ endpoint: this.cfg.endpoint }, 'pprof listens beyond loopback without a token: heap snapshots hold every secret in memory, so only loopback clients are served; set token to serve others');
    if (this.cfg.save_to_file) await this.profiler.startCpu();
    const server = createServer((req, res) => void this.handle(req, res, token));
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => reject(listenError(err, { listener: `${this.set.id.id} (pprof)`, address: this.cfg.endpoint, configKey: `extensions::${this.set.id.id}::endpoint` }));
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        resolve();
      });
    });
    const a = server.address();
    this.port = typeof a === 'object' && a ? a.port : port;
    this.server = server;
    this.set.logger.info({ endpoint: `${host}:${this.port}`, token: token ? 'required' : 'loopback only' }, 'pprof serving /debug/pprof/profile and /debug/pprof/heap');
  }

  private async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, token: Buffer | undefined): Promise<void> {
    const refused = refuseRequest(req, token);
    if (refused) return void res.writeHead(refused.status, { 'content-type': 'text/plain' }).end(refused.message + '\n');
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    const url = new URL(req.url ?? '/', 'http://x');
    const busy = () => res.writeHead(409, { 'content-type': 'text/plain' }).end(`a ${this.profiler.running} is already running; try again when it ends\n`);
    try {
      if (url.pathname === '/debug/pprof/profile') {
        const seconds = Number(url.searchParams.get('seconds') ?? '30');
        if (!Number.isFinite(seconds) || seconds <= 0 || seconds > this.cfg.max_seconds)
          return void res.writeHead(400, { 'content-type': 'text/plain' }).end(`seconds must be between 0 and ${this.cfg.max_seconds}\n`);
        if (this.profiler.running) return void busy();
        await this.profiler.startCpu();
        this.set.logger.info({ seconds }, 'pprof: CPU profile started');
        await new Promise((r) => setTimeout(r, seconds * 1000));
        const body = await this.profiler.stopCpu();
        res.writeHead(200, { 'content-type': 'application/json', 'content-disposition': 'attachment; filename="telemd.cpuprofile"' }).end(body);
      } else if (url.pathname === '/debug/pprof/heap') {
        if (this.profiler.running) return void busy();
        this.set.logger.info('pprof: heap snapshot requested (the agent pauses while it is written)');
        res.writeHead(200, { 'content-type': 'application/json', 'content-disposition': 'attachment; filename="telemd.heapsnapshot"' });
        await this.profiler.heapSnapshot((c) => res.write(c));
        res.end();
      } else if (url.pathname === '/debug/pprof' || url.pathname === '/debug/pprof/') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(INDEX);
      } else res.writeHead(404, { 'content-type': 'text/plain' }).end(INDEX);
    } catch (e) {
      this.set.logger.error({ err: (e as Error).message }, 'pprof request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(e as Error).message}\n`);
      else res.destroy();
    }
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
    if (this.cfg.save_to_file && this.profiler.running === 'CPU profile') {
      try {
        writeFileSync(this.cfg.save_to_file, await this.profiler.stopCpu(), { mode: 0o600 });
        this.set.logger.info({ file: this.cfg.save_to_file }, 'pprof: CPU profile of the whole run written');
      } catch (e) {
        this.set.logger.error({ err: (e as Error).message, file: this.cfg.save_to_file }, 'pprof: could not write save_to_file');
      }
    }
    this.profiler.close();
  }
}
