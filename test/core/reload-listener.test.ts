// A reload that changes a receiver's settings but not its address keeps its HTTP listener: a
// client's keep-alive connection survives the rebuild, and requests sent meanwhile are answered.
import { Agent as HttpAgent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { encodeProto } from '../../src/otlp/index.js';
import { freePort } from '../helpers/ports.js';
import { inprocAgents, logsData } from '../helpers/inproc.js';

const startInproc = inprocAgents();

function post(port: number, agent: HttpAgent): Promise<{ status: number; localPort: number }> {
  const body = encodeProto('logs', logsData('hello'));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort: req.socket!.localPort! }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('listeners across a reload', () => {
  it('a rebuilt OTLP receiver with the same endpoint keeps the listener and its connections', async () => {
    const port = await freePort();
    const cfg = (size: string) => `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
        max_request_body_size: ${size}
exporters:
  sink:
    stop_delay_ms: 100
service:
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [sink]
`;
    const a = await startInproc(cfg('20MiB'));
    const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await post(port, keepAlive);
      expect(first.status).toBe(200);
      a.write(cfg('21MiB'));
      const reload = a.agent.reload();
      // Requests while the receiver is being replaced: answered, on the same connection.
      const during = await Promise.all([post(port, keepAlive), post(port, keepAlive), post(port, keepAlive)]);
      const r = await reload;
      expect(r.changes!.rebuilt).toEqual(['receiver:otlp']);
      const after = await post(port, keepAlive);
      expect([...during, after].map((x) => x.status)).toEqual([200, 200, 200, 200]);
      expect(new Set([first, ...during, after].map((x) => x.localPort)).size).toBe(1);
      expect(a.probes.sinks.get('sink')).toHaveLength(5);
    } finally {
      keepAlive.destroy();
    }
  });

  it('a listener whose address changed is closed, and the old port is free again', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const cfg = (p: number) => `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${p}
exporters:
  sink:
service:
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [sink]
`;
    const a = await startInproc(cfg(p1));
    a.write(cfg(p2));
    expect((await a.agent.reload()).changes!.rebuilt).toEqual(['receiver:otlp']);
    const agent = new HttpAgent();
    expect((await post(p2, agent)).status).toBe(200);
    await expect(post(p1, agent)).rejects.toThrow(/ECONNREFUSED/);
  });
});
