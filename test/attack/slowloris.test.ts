// Slowloris against a real telemd: hundreds of connections that send their headers or their
// body a byte at a time, from one address (127.0.0.2; all of 127/8 is loopback), while valid
// clients on 127.0.0.1 send OTLP over HTTP and gRPC. Valid requests must all succeed, slow
// ones must be cut within the configured times, and both are counted. TELEMD_SOAK=1: longer,
// more connections.
import { connect, type Socket } from 'node:net';
import { connect as h2connect } from 'node:http2';
import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { encodeJson } from '../../src/otlp/index.js';
import { SERVICE_PATHS } from '../../receivers/otlp/grpc.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { tempDir } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { logsBody, numberedLogs, seqsInFiles, summarize, waitFor } from '../otlp/traffic.js';
import { figure, maxRss, selfMetric } from './figures.js';

const SOAK = process.env.TELEMD_SOAK === '1';
const SLOW = SOAK ? 1000 : 300;
const SECONDS = SOAK ? 30 : 4;
const startAgent = agentsKilledAfterEach();

/** A connection from 127.0.0.2 that dribbles a request: its headers, or (headers done) its body. */
function slowClient(port: number, phase: 'headers' | 'body'): { sock: Socket; closed: Promise<void>; stop(): void } {
  const sock = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
  sock.on('error', () => {});
  const head = 'POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n';
  const rest = phase === 'headers' ? head : '{"resourceLogs":[' + ' '.repeat(99_983);
  let i = 0;
  // Written now, queued before any dribbled byte: written on 'connect', a loaded machine let the
  // 200 ms timer fire first and the request began "{POST" (counted as bad_http, not a timeout).
  if (phase === 'body') sock.write(head + '\r\n');
  const t = setInterval(() => {
    if (sock.writable) sock.write(rest[i++ % rest.length]!);
  }, 200);
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  void closed.then(() => clearInterval(t));
  return { sock, closed, stop: () => (clearInterval(t), sock.destroy()) };
}

describe('attack: slowloris', () => {
  it(`${SLOW} slow HTTP clients from one address cannot keep valid clients out, and are cut in time`, { timeout: (SECONDS + 60) * 1000 }, async () => {
    const out = tempDir();
    const [g, h] = [await freePort(), await freePort()];
    const agent = await startAgent({
      config: `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${g}, read_timeout: 5s, max_connections_per_client: 20 }
      http: { endpoint: 127.0.0.1:${h}, read_header_timeout: 3s, read_timeout: 5s, max_connections_per_client: 50 }
    max_concurrent_requests: 8
exporters:
  file: { path: ${out}/out.jsonl, flush_interval: 20ms, fsync: false }
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
`,
    });
    const slow = Array.from({ length: SLOW }, (_, i) => slowClient(h, i % 2 ? 'body' : 'headers'));
    // A slow gRPC call: headers, part of a message, never the end of the stream.
    const h2 = h2connect(`http://127.0.0.1:${g}`, { createConnection: () => connect({ host: '127.0.0.1', port: g, localAddress: '127.0.0.2' }) });
    h2.on('error', () => {});
    const stream = h2.request({ ':method': 'POST', ':path': SERVICE_PATHS.logs, 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('error', () => {});
    stream.write(Buffer.from([0, 0, 0, 1, 0, 0x0a]));
    const grpcCut = new Promise<number>((r) => stream.once('close', () => r(stream.rstCode)));

    // Valid traffic from 127.0.0.1 during the attack: every request must be accepted.
    const client = new grpc.Client(`127.0.0.1:${g}`, grpc.credentials.createInsecure());
    let seq = 0;
    let tried = 0;
    const statuses = new Map<string, number>();
    const note = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      const from = seq;
      seq += 20;
      tried++;
      const t0 = performance.now();
      if (tried % 2) {
        const res = await fetch(`http://127.0.0.1:${h}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeJson('logs', numberedLogs(from, 20)) });
        await res.arrayBuffer();
        note(`http ${res.status}`);
      } else {
        const code = await new Promise<number>((resolve) =>
          client.makeUnaryRequest(SERVICE_PATHS.logs, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(logsBody(from, 20)), new grpc.Metadata(), (e) => resolve(e ? e.code : 0)),
        );
        note(`grpc ${code}`);
      }
            await new Promise((r) => setTimeout(r, 20));
    }
    client.close();
    expect(Object.fromEntries(statuses)).toEqual({ 'http 200': Math.ceil(tried / 2), 'grpc 0': Math.floor(tried / 2) });

    // Every slow connection is closed by the server: over the per-client bound at once, the rest
    // within read_header_timeout / read_timeout (+ the 1 s check interval).
    await Promise.race([Promise.all(slow.map((s) => s.closed)), new Promise((r) => setTimeout(r, 20_000))]);
    const open = slow.filter((s) => !s.sock.destroyed && !s.sock.closed).length;
    for (const s of slow) s.stop();
    expect(open).toBe(0);
    expect(await grpcCut).toBe(8); // NGHTTP2_CANCEL
    h2.close();

    const cut = (reason: string) => selfMetric(agent, 'telemd_http_cut_connections_total', { reason });
    const [perClient, headers, body] = [await cut('per_client_limit'), await cut('header_timeout'), await cut('body_timeout')];
    // Every slow connection was cut once, one way or another (a slot freed by a timeout may let
    // a later connection in, so the split depends on how fast the agent accepted them).
    // (on a mismatch the message carries what the agent counted, to tell which path missed)
    const counted = async () => (await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text()).split('\n').filter((l) => /_cut_|refused_requests/.test(l) && !l.startsWith('#')).join('\n');
    expect(perClient + headers + body, await counted()).toBe(SLOW);
    expect(perClient).toBeGreaterThanOrEqual(SLOW / 2);
    expect(headers).toBeGreaterThanOrEqual(25);
    expect(body).toBeGreaterThanOrEqual(25);
    expect(await selfMetric(agent, 'telemd_grpc_cut_total', { reason: 'body_timeout' })).toBe(1);

    await waitFor(() => new Set(seqsInFiles(out, 'out').logs).size >= seq, 15_000, 'valid items delivered');
    const s = summarize(seqsInFiles(out, 'out').logs, seq);
    expect(s.missing).toBe(0);
    figure('slowloris', {
      inputs: tried,
      faults: SLOW + 1,
      cut: { per_client_limit: perClient, header_timeout: headers, body_timeout: body, grpc_body_timeout: 1 },
      lost: s.missing,
      crashes: agent.proc.exitCode === null ? 0 : 1,
      maxRssMiB: await maxRss(agent),
    });
    expect(agent.proc.exitCode).toBeNull();
  });
});
