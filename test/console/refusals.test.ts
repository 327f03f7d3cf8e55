// The console refuses, on a real agent: no token, a wrong token, a foreign Origin (even with the
// token), and non-loopback clients when bound to loopback. The non-loopback client is a real
// second host: a network namespace joined by a veth pair (needs root and `ip`; skipped
// otherwise). Bound to 127.0.0.1 the console is not reachable on the host's veth address at all
// (connection refused); bound to that address it serves the namespace only with the token.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';

const isRoot = process.getuid?.() === 0;
const ns = `tcons${process.pid % 100000}`;
const octet = 1 + (process.pid % 250);
const HOST_IP = `10.231.${octet}.1`;
const PEER_IP = `10.231.${octet}.2`;
const vethHost = `vch${process.pid % 100000}`;
const vethPeer = `vcp${process.pid % 100000}`;

function sh(cmd: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

function makeNetns(): boolean {
  if (!isRoot) return false;
  const steps = [
    ['ip', 'netns', 'add', ns],
    ['ip', 'link', 'add', vethHost, 'type', 'veth', 'peer', 'name', vethPeer],
    ['ip', 'link', 'set', vethPeer, 'netns', ns],
    ['ip', 'addr', 'add', `${HOST_IP}/30`, 'dev', vethHost],
    ['ip', 'link', 'set', vethHost, 'up'],
    ['ip', '-n', ns, 'addr', 'add', `${PEER_IP}/30`, 'dev', vethPeer],
    ['ip', '-n', ns, 'link', 'set', vethPeer, 'up'],
    ['ip', '-n', ns, 'link', 'set', 'lo', 'up'],
  ];
  for (const s of steps) {
    if (!sh(s).ok) {
      dropNetns();
      return false;
    }
  }
  return true;
}

function dropNetns(): void {
  sh(['ip', 'link', 'del', vethHost]);
  sh(['ip', 'netns', 'del', ns]);
}

/** An HTTP GET made from inside the namespace (a client on another host). */
function getFromPeer(url: string, headers: Record<string, string> = {}): { status?: number; error?: string; body?: string } {
  const script = `
const http = require('node:http');
const req = http.get(${JSON.stringify(url)}, { headers: ${JSON.stringify(headers)}, timeout: 5000 }, (res) => {
  let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, body: b })));
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => console.log(JSON.stringify({ error: e.code || e.message })));`;
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 15_000 });
  return JSON.parse(r.stdout.trim() || '{"error":"no output"}') as { status?: number; error?: string; body?: string };
}

const config = (endpoint: string, tokenFile: string) => `
receivers: {nop: }
exporters: {nop: }
extensions:
  console: {endpoint: "${endpoint}", token_file: ${tokenFile}}
service:
  extensions: [console]
  pipelines:
    metrics: {receivers: [nop], exporters: [nop]}
`;

async function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { status?: string; error?: string } }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return { status: r.status, json: (await r.json()) as { status?: string; error?: string } };
}

describe('the console refuses', () => {
  const dir = tempDir('telemd-console-refuse-');
  const tokenFile = join(dir, 'console.token');
  let agent: Agent;
  let port = 0;
  let token = '';

  beforeAll(async () => {
    port = await freePort();
    agent = await startAgent({ dir, config: config(`127.0.0.1:${port}`, tokenFile) });
    token = readFileSync(tokenFile, 'utf8').trim();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('a request without the token or with a wrong one (401), and a foreign Origin even with the token (403); each counted', async () => {
    const none = await get(port, '/api/v1/status/components');
    expect(none.status).toBe(401);
    expect(none.json.status).toBe('error');
    expect(none.json.error).toContain(tokenFile);
    expect((await get(port, '/api/v1/tap?component=nop', { authorization: 'Bearer nope' })).status).toBe(401);
    const foreign = await get(port, '/api/v1/status/components', { authorization: `Bearer ${token}`, origin: 'https://grafana.example.org' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error).toContain('cross-site requests are refused');
    expect((await get(port, '/api/v1/status/components', { authorization: `Bearer ${token}` })).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    expect(metrics).toMatch(/telemd_console_refused_requests_total\{extension="console",reason="no_token"\} 1/);
    expect(metrics).toMatch(/telemd_console_refused_requests_total\{extension="console",reason="bad_token"\} 1/);
    expect(metrics).toMatch(/telemd_console_refused_requests_total\{extension="console",reason="origin"\} 1/);
  });

  describe.skipIf(!makeNetns())('clients on another host (a network namespace over a veth pair)', () => {
    let exposed: Agent;
    let exposedPort = 0;
    let exposedToken = '';
    beforeAll(async () => {
      exposedPort = await freePort();
      const d = tempDir('telemd-console-exposed-');
      exposed = await startAgent({ dir: d, config: config(`${HOST_IP}:${exposedPort}`, join(d, 'console.token')) });
      exposedToken = readFileSync(join(d, 'console.token'), 'utf8').trim();
    });
    afterAll(async () => {
      await exposed?.stop();
      dropNetns();
    });

    it('cannot connect at all to a console bound to loopback', () => {
      const r = getFromPeer(`http://${HOST_IP}:${port}/api/v1/status/components`, { authorization: `Bearer ${token}` });
      expect(r).toEqual({ error: 'ECONNREFUSED' });
    });

    it('reaches a console bound to the host address only with the token (and it warns it is exposed)', async () => {
      expect(getFromPeer(`http://${HOST_IP}:${exposedPort}/api/v1/status/components`).status).toBe(401);
      expect(getFromPeer(`http://${HOST_IP}:${exposedPort}/api/v1/status/components`, { authorization: `Bearer ${exposedToken}`, origin: 'http://evil.example' }).status).toBe(403);
      const ok = getFromPeer(`http://${HOST_IP}:${exposedPort}/api/v1/status/components`, { authorization: `Bearer ${exposedToken}` });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body!).status).toBe('success');
      await exposed.waitForLog(/not on loopback|loopback/i, 5000);
    });
  });
});
