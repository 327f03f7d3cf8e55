// The self-metrics endpoint: Prometheus text on http://<address>/metrics.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { listenHttp } from '../net/http-server.js';
import { SelfTelemetry, type MetricRegistry } from './self.js';

export async function startMetricsServer(address: string, registry: MetricRegistry, logger: Logger): Promise<Server> {
  const l = await listenHttp({
    endpoint: address,
    // Self-metrics stay local unless an interface is named.
    emptyHost: '127.0.0.1',
    configKey: 'service::telemetry::metrics::address',
    listener: 'self-metrics',
    logger,
    telemetry: new SelfTelemetry(registry),
    handler: (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found: try /metrics\n');
      return;
    }
    const body = registry.renderPrometheus();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
    },
  });
  return l.server;
}
