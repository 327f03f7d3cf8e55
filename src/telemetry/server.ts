// The self-metrics endpoint: Prometheus text on http://<address>/metrics.
import { createServer, type Server } from 'node:http';
import { mustParseEndpoint } from '../util/endpoint.js';
import type { MetricRegistry } from './self.js';

export async function startMetricsServer(address: string, registry: MetricRegistry): Promise<Server> {
  // Self-metrics stay local unless an interface is named.
  const { host, port } = mustParseEndpoint(address, '127.0.0.1');
  const server = createServer((req, res) => {
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
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
