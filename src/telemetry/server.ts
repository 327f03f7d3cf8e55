// The self-metrics endpoint: Prometheus text on http://<address>/metrics.
import { createServer, type Server } from 'node:http';
import type { MetricRegistry } from './self.js';

export function splitHostPort(address: string, defaultHost = '127.0.0.1'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`invalid address "${address}" (expected host:port)`);
  return { host: m[1] ?? (m[2] || defaultHost), port: Number(m[3]) };
}

export async function startMetricsServer(address: string, registry: MetricRegistry): Promise<Server> {
  const { host, port } = splitHostPort(address);
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
