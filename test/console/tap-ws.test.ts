// The tap as WebSocket on a real agent, with the `ws` library as the client: the same lines as
// the NDJSON stream, one message each; the upgrade passes the console's gate (token, Origin,
// Host) before anything is attached; a closed socket detaches its tap.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';

interface Opened {
  ws?: WebSocket;
  status?: number;
  body?: string;
  /** Messages from the first frame on: the server may send one in the upgrade's own TCP segment. */
  messages: string[];
  /** Settles when the server closes; listened for from the start for the same reason. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Connects; resolves with the open socket, or with the HTTP status and body of a refused upgrade. */
function connect(url: string, headers: Record<string, string>): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    // Listening from here, not after `await connect(...)`: ws can emit a frame that came with the
    // 101 response on a nextTick, before the awaiting code's continuation runs (the header was lost).
    const messages: string[] = [];
    ws.on('message', (d) => messages.push(String(d)));
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: String(reason) })));
    ws.once('open', () => resolve({ ws, messages, closed }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body, messages, closed }));
    });
    ws.once('error', reject);
  });
}

/** Every message until the server closes, and the close code and reason. */
function drain(opened: Opened): Promise<{ messages: string[]; code: number; reason: string }> {
  return opened.closed.then((c) => ({ messages: opened.messages, ...c }));
}

describe('the tap as WebSocket', () => {
  const dir = tempDir('telemd-tap-ws-');
  const tokenFile = join(dir, 'console.token');
  let agent: Agent;
  let port = 0;
  let token = '';
  const url = (q: string) => `ws://127.0.0.1:${port}/api/v1/tap?${q}`;

  beforeAll(async () => {
    port = await freePort();
    agent = await startAgent({
      dir,
      config: `
receivers:
  hostmetrics:
    collection_interval: 200ms
    scrapers: {cpu: , memory: }
exporters:
  nop:
extensions:
  console:
    endpoint: 127.0.0.1:${port}
    token_file: ${tokenFile}
    tap: {max_taps: 1}
service:
  extensions: [console]
  pipelines:
    metrics: {receivers: [hostmetrics], exporters: [nop]}
`,
    });
    token = readFileSync(tokenFile, 'utf8').trim();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('streams the tap header, OTLP JSON batches and the end, one message each, then closes normally', async () => {
    const opened = await connect(url('component=hostmetrics&limit=3'), { authorization: `Bearer ${token}` });
    const { messages, code, reason } = await drain(opened);
    expect(code).toBe(1000);
    expect(reason).toBe('limit');
    expect(messages).toHaveLength(5);
    const [head, ...rest] = messages.map((m) => JSON.parse(m) as Record<string, unknown>);
    expect(head).toEqual({ tap: { component: 'receiver:hostmetrics', id: 'hostmetrics', kind: 'receiver', direction: 'out', signals: ['metrics'], limit: 3 } });
    for (const b of rest.slice(0, 3)) {
      expect(b).toMatchObject({ component: 'receiver:hostmetrics', direction: 'out', signal: 'metrics', dropped: 0 });
      const data = b.data as { resourceMetrics: { scopeMetrics: { metrics: { name: string }[] }[] }[] };
      expect(data.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.name).toMatch(/^system\./);
    }
    expect(rest[3]).toMatchObject({ end: 'limit', sent: 3, dropped: 0 });
  });

  it('refuses the upgrade without the token, with a wrong one, and from a foreign Origin even with it; each counted', async () => {
    const before = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    const count = (text: string, reason: string) => Number(new RegExp(`telemd_console_refused_requests_total\\{extension="console",reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const none = await connect(url('component=hostmetrics'), {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body!)).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect((await connect(url('component=hostmetrics'), { authorization: 'Bearer nope' })).status).toBe(401);
    // Cross-site WebSocket hijacking: a page elsewhere opening the socket (browsers send Origin).
    const foreign = await connect(url('component=hostmetrics'), { authorization: `Bearer ${token}`, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body!).error).toContain('cross-site requests are refused');
    const rebound = await connect(url('component=hostmetrics'), { authorization: `Bearer ${token}`, host: 'attacker.example' });
    expect(rebound.status).toBe(403);
    const after = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    expect(count(after, 'no_token') - count(before, 'no_token')).toBe(1);
    expect(count(after, 'bad_token') - count(before, 'bad_token')).toBe(1);
    expect(count(after, 'origin') - count(before, 'origin')).toBe(1);
    expect(count(after, 'host') - count(before, 'host')).toBe(1);
    // The console's own origin is fine.
    const own = await connect(url('component=hostmetrics&limit=1'), { authorization: `Bearer ${token}`, origin: `http://127.0.0.1:${port}` });
    expect((await drain(own)).code).toBe(1000);
  });

  it('answers bad parameters and other paths as HTTP errors before upgrading', async () => {
    const unknown = await connect(url('component=nosuch'), { authorization: `Bearer ${token}` });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body!).error).toContain('no running component "nosuch"; running: hostmetrics, nop');
    const other = await connect(`ws://127.0.0.1:${port}/api/v1/query`, { authorization: `Bearer ${token}` });
    expect(other.status).toBe(404);
  });

  it('detaches the tap when the reader closes the socket (tap.max_taps: 1 frees up)', async () => {
    const first = await connect(url('component=hostmetrics'), { authorization: `Bearer ${token}` });
    await until(() => first.messages.length > 0 || undefined, 10_000, "the first tap message");
    // The one tap is taken: a second is answered 503, over WebSocket and over NDJSON alike.
    expect((await connect(url('component=hostmetrics'), { authorization: `Bearer ${token}` })).status).toBe(503);
    first.ws!.close();
    const deadline = Date.now() + 10_000;
    let again: Opened | undefined;
    while (Date.now() < deadline) {
      again = await connect(url('component=hostmetrics&limit=1'), { authorization: `Bearer ${token}` });
      if (again.ws) break;
      expect(again.status).toBe(503);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(again?.ws).toBeDefined();
    expect((await drain(again!)).code).toBe(1000);
  });
});

describe('the WebSocket tap sink', () => {
  it('waits for a reader that does not read instead of queueing in memory, and goes on when it reads again', async () => {
    const { createServer } = await import('node:http');
    const { connect: tcp } = await import('node:net');
    const { TapSockets } = await import('../../extensions/console/tap-ws.js');
    const line = 'x'.repeat(256 * 1024);
    const LINES = 100; // 25 MiB in all: far more than the socket buffers hold
    let firstWait = -1;
    let written = 0;
    let waiting: (() => void) | undefined;
    const waited = new Promise<void>((r) => (waiting = r));
    let ended: (() => void) | undefined;
    const done = new Promise<void>((r) => (ended = r));
    const stream = {
      head: '{"tap":{}}',
      async pump(write: (l: string) => Promise<void> | undefined, stop: AbortSignal) {
        for (let i = 0; i < LINES && !stop.aborted; i++) {
          const slow = write(`{"i":${i},"pad":"${line}"}`);
          written++;
          if (slow) {
            if (firstWait < 0) (firstWait = i), waiting!();
            await slow;
          }
        }
        ended!();
        return '{"end":"limit","sent":100}';
      },
      close() {},
    };
    const sockets = new TapSockets();
    const server = createServer();
    server.on('upgrade', (req, socket, head) => void sockets.accept(req, socket, head, stream));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = tcp(port, '127.0.0.1');
    let received = 0;
    client.on('data', (c: Buffer) => (received += c.length));
    client.write(`GET /api/v1/tap HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    client.pause();
    try {
      await waited;
      // Stuck behind the reader: no more writes while it does not read.
      const at = written;
      await new Promise((r) => setTimeout(r, 300));
      expect(written).toBe(at);
      expect(firstWait).toBeGreaterThan(0);
      expect(firstWait).toBeLessThan(LINES);
      client.resume();
      await done;
      // Everything written reaches the reader (the server's close then waits for a close frame
      // this raw client never sends: not awaited).
      await until(() => received > LINES * line.length, 20_000, 'every line at the reader');
      console.log(`WebSocket sink: the pump waited from line ${firstWait} of ${LINES} (256 KiB each) until the reader read`);
    } finally {
      client.destroy();
      sockets.closeAll();
      await new Promise((r) => server.close(r));
    }
  });
});
