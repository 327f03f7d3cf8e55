// health_check's POST /reload: off unless enabled, then only with the bearer token of a token
// file that only the agent's user can read (src/security/token.ts).
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearerToken, openTokenFile } from '../../src/security/token.js';
import { tempDir } from '../helpers/agent.js';
import { inprocAgents } from '../helpers/inproc.js';
import { freePort } from '../helpers/ports.js';

const startInproc = inprocAgents();

async function config(extra: string): Promise<{ yaml: string; port: number }> {
  const port = await freePort();
  return {
    port,
    yaml: `
receivers:
  probe:
exporters:
  sink:
extensions:
  health_check:
    endpoint: 127.0.0.1:${port}
${extra}
service:
  extensions: [health_check]
  pipelines:
    logs:
      receivers: [probe]
      exporters: [sink]
`,
  };
}

const post = (port: number, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${port}/reload`, { method: 'POST', headers });

describe('POST /reload', () => {
  it('is off unless enabled', async () => {
    const { yaml, port } = await config('');
    await startInproc(yaml);
    expect((await post(port)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it('when enabled, needs the token of the file it created 0600; the reply says what changed', async () => {
    const dir = tempDir();
    const tokenFile = join(dir, 'state', 'console.token');
    const { yaml, port } = await config(`    enable_reload: true\n    token_file: ${tokenFile}`);
    const a = await startInproc(yaml);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const none = await post(port);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post(port, { authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await post(port, { authorization: `Basic ${token}` })).status).toBe(401);
    expect(a.logs.some((l) => JSON.stringify(l).includes(token))).toBe(false); // never logged
    const ok = await post(port, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ applied: true, errors: [], changes: { rebuilt: [], added: [], removed: [] } });
    // GET is not a reload.
    expect((await fetch(`http://127.0.0.1:${port}/reload`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
  });

  it('refuses a token file other users can read, naming it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 's'), { mode: 0o700 });
    const tokenFile = join(dir, 's', 'token');
    writeFileSync(tokenFile, 'known-to-everyone\n');
    chmodSync(tokenFile, 0o644);
    const { yaml } = await config(`    enable_reload: true\n    token_file: ${tokenFile}`);
    await expect(startInproc(yaml)).rejects.toThrow(`extension health_check failed to start: token file ${tokenFile} can be read or written by other users (mode 0644); run chmod 600 ${tokenFile}`);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a token file planted by another user', () => {
    const dir = tempDir();
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'planted\n', { mode: 0o600 });
    chownSync(tokenFile, 65534, 65534);
    expect(() => openTokenFile(tokenFile)).toThrow(/belongs to uid 65534, not to this agent's user/);
  });

  it('reads the Authorization header strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc  ')).toBe('abc');
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('picks up a rotated token without a restart', async () => {
    const dir = tempDir();
    const tokenFile = join(dir, 'token');
    const t = openTokenFile(tokenFile);
    const first = readFileSync(tokenFile, 'utf8').trim();
    expect(t.created).toBe(true);
    expect(t.matches(first)).toBe(true);
    writeFileSync(tokenFile, 'rotated-token-value\n');
    await new Promise((r) => setTimeout(r, 1100));
    expect(t.matches('rotated-token-value')).toBe(true);
    expect(t.matches(first)).toBe(false);
  });
});
