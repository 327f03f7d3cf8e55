import { createServer, type IncomingHttpHeaders } from 'node:http';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { runCli, startAgent, tempDir } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOGS = JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: {}, logRecords: [{ body: { stringValue: 'hi' } }] }] }] });

async function sink(): Promise<{ port: number; seen: Map<string, IncomingHttpHeaders>; close: () => void }> {
  const seen = new Map<string, IncomingHttpHeaders>();
  const srv = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.set(req.url ?? '', req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const a = srv.address();
  return { port: typeof a === 'object' && a ? a.port : 0, seen, close: () => srv.close() };
}

describe('authenticator extensions', () => {
  it('basicauth checks the otlp receiver\'s clients; bearertokenauth and headers_setter add credentials to exporters; secrets stay out of print-config', async () => {
    const s = await sink();
    const otlp = await freePort();
    const dir = tempDir();
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'file-token\n');
    const config = `
extensions:
  basicauth/server:
    htpasswd:
      inline: |
        alice:${bcrypt.hashSync('wonderland', 4)}
        bob:plain-pw
  bearertokenauth/out:
    filename: ${tokenFile}
  headers_setter:
    headers:
      - {key: X-Scope-OrgID, value: tenant-7}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
        auth: {authenticator: basicauth/server}
exporters:
  otlp_http/a:
    endpoint: http://127.0.0.1:${s.port}/a
    compression: none
    auth: {authenticator: bearertokenauth/out}
  otlphttp/b:
    endpoint: http://127.0.0.1:${s.port}/b
    compression: none
    auth: {authenticator: headers_setter}
service:
  extensions: [basicauth/server, bearertokenauth/out, headers_setter]
  pipelines:
    logs: {receivers: [otlp], exporters: [otlp_http/a, otlphttp/b]}
`;
    const agent = await startAgent({ config, dir });
    try {
      const post = (auth?: string) =>
        fetch(`http://127.0.0.1:${otlp}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: LOGS });
      expect((await post()).status).toBe(401);
      expect((await post(`Basic ${Buffer.from('alice:wrong').toString('base64')}`)).status).toBe(401);
      expect((await post(`Basic ${Buffer.from('alice:wonderland').toString('base64')}`)).status).toBe(200);
      expect((await post(`Basic ${Buffer.from('bob:plain-pw').toString('base64')}`)).status).toBe(200);
      expect(s.seen.get('/a/v1/logs')?.authorization).toBe('Bearer file-token');
      expect(s.seen.get('/b/v1/logs')?.['x-scope-orgid']).toBe('tenant-7');
      const printed = await runCli(['print-config', '--config', agent.configPath]);
      expect(printed.code).toBe(0);
      expect(printed.stdout).not.toContain('plain-pw');
      expect(printed.stdout).not.toContain('tenant-7');
      expect(JSON.stringify(agent.logs)).not.toMatch(/plain-pw|file-token|wonderland/);
    } finally {
      expect(await agent.stop()).toBe(0);
      s.close();
    }
  }, 60_000);

  it('an authenticator that is not running, or of the wrong side, fails the start with the reason', async () => {
    const r = await runCli(['validate', '--config', '/dev/null']);
    expect(r.code).toBe(78);
    const otlp = await freePort();
    const agent = await startAgent({
      waitReady: false,
      config: `extensions:\n  headers_setter: {headers: [{key: a, value: b}]}\nreceivers:\n  otlp: {protocols: {http: {endpoint: 127.0.0.1:${otlp}, auth: {authenticator: headers_setter}}}}\nexporters: {nop: {}}\nservice:\n  extensions: [headers_setter]\n  pipelines: {logs: {receivers: [otlp], exporters: [nop]}}\n`,
    });
    expect(await agent.exited).toBe(70);
    expect(JSON.stringify(agent.logs)).toContain('cannot authenticate incoming requests');
  }, 30_000);
});
