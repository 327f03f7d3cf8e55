import { describe, expect, it } from 'vitest';
import { startAgent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { request } from 'node:http';

/** fetch() cannot set Host: a raw request can, as a DNS-rebinding page's browser would. */
function statusWithHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('error', reject);
    r.end();
  });
}

describe('zpages and pprof extensions', () => {
  it('serve the running pipelines and V8 profiles to loopback clients; refuse foreign Host names and other methods', async () => {
    const [z, p, sm] = [await freePort(), await freePort(), await freePort()];
    const agent = await startAgent({
      config: `
receivers:
  nop:
exporters:
  nop:
  debug/x:
processors:
  batch:
extensions:
  zpages: {endpoint: 127.0.0.1:${z}}
  pprof: {endpoint: 127.0.0.1:${p}}
  nop:
service:
  telemetry: {metrics: {address: 127.0.0.1:${sm}}}
  extensions: [zpages, pprof]
  pipelines:
    metrics: {receivers: [nop], processors: [batch], exporters: [nop, debug/x]}
`,
    });
    try {
      const pipes = (await (await fetch(`http://127.0.0.1:${z}/debug/pipelinez?format=json`)).json()) as { pipelines: unknown[] };
      expect(pipes.pipelines).toEqual([{ id: 'metrics', receivers: ['nop'], processors: ['batch'], exporters: ['nop', 'debug/x'] }]);
      const ext = (await (await fetch(`http://127.0.0.1:${z}/debug/extensionz?format=json`)).json()) as { extensions: unknown[] };
      expect(ext.extensions).toEqual([{ id: 'zpages', type: 'zpages', state: expect.any(String) }, { id: 'pprof', type: 'pprof', state: expect.any(String) }]);
      const html = await (await fetch(`http://127.0.0.1:${z}/debug/pipelinez`)).text();
      expect(html).toContain('debug/x (debug)');
      const svc = (await (await fetch(`http://127.0.0.1:${z}/debug/servicez?format=json`)).json()) as { healthy: boolean; pid: number };
      expect(svc).toMatchObject({ healthy: true, pid: agent.proc.pid });
      expect((await fetch(`http://127.0.0.1:${z}/debug/featurez`)).status).toBe(200);
      // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
      expect(await statusWithHost(z, '/debug/servicez', 'evil.example')).toBe(403);
      expect(await statusWithHost(z, '/debug/servicez', `localhost:${z}`)).toBe(200);
      expect((await fetch(`http://127.0.0.1:${z}/debug/servicez`, { method: 'POST' })).status).toBe(405);

      const prof = (await (await fetch(`http://127.0.0.1:${p}/debug/pprof/profile?seconds=0.3`)).json()) as { nodes: unknown[]; startTime: number };
      expect(prof.nodes.length).toBeGreaterThan(0);
      const heap = await fetch(`http://127.0.0.1:${p}/debug/pprof/heap`);
      expect(heap.status).toBe(200);
      const snap = JSON.parse(await heap.text()) as { snapshot: { node_count: number } };
      expect(snap.snapshot.node_count).toBeGreaterThan(1000);
      expect(await statusWithHost(p, '/debug/pprof/heap', 'evil.example:80')).toBe(403);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  }, 60_000);

  it('with a token, pprof needs it', async () => {
    const p = await freePort();
    const agent = await startAgent({
      config: `receivers: {nop: {}}\nexporters: {nop: {}}\nextensions:\n  pprof: {endpoint: 127.0.0.1:${p}, token: s3cret}\nservice:\n  extensions: [pprof]\n  pipelines: {logs: {receivers: [nop], exporters: [nop]}}\n`,
    });
    try {
      expect((await fetch(`http://127.0.0.1:${p}/debug/pprof/`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${p}/debug/pprof/`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
      expect(JSON.stringify(agent.logs)).not.toContain('s3cret');
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  }, 30_000);
});
