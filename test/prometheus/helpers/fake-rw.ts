// A remote-write endpoint under test control: records decoded requests and answers with a
// scripted sequence of statuses.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { uncompressSync } from 'snappy';
import { decompressWriteRequest, type WriteRequest } from '../../../src/prometheus/index.js';
import { decodeV2 } from './prompb.js';
import { freePort } from '../../helpers/ports.js';

export interface Received {
  headers: IncomingHttpHeaders;
  req: WriteRequest;
  /** Set when the request was Remote-Write 2.0 (then `req` is empty). */
  v2?: ReturnType<typeof decodeV2>;
  status: number;
  at: number;
}

export interface FakeRw {
  url: string;
  received: Received[];
  /** Statuses to answer next, in order; then 200. Entries may carry a Retry-After. */
  script: { status: number; retryAfter?: string; body?: string; headers?: Record<string, string> }[];
  /** Answer to every Remote-Write 2.0 request: 415 (a 1.x receiver) or 204 with the written headers. */
  v2Mode: 'reject' | 'accept';
  close(): Promise<void>;
}

export async function startFakeRw(): Promise<FakeRw> {
  const port = await freePort();
  const fake: FakeRw = { url: `http://127.0.0.1:${port}/api/v1/write`, received: [], script: [], v2Mode: 'accept', close: async () => {} };
  const srv: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const isV2 = String(req.headers['content-type']).includes('io.prometheus.write.v2.Request');
      let next = fake.script.shift() ?? { status: 200 };
      try {
        if (isV2) {
          const raw = uncompressSync(Buffer.concat(chunks), { asBuffer: true }) as Buffer;
          const v2 = decodeV2(raw);
          const n = v2.series.reduce((a, t) => a + t.samples.length, 0);
          if (fake.v2Mode === 'reject') next = { status: 415, body: 'unsupported proto' };
          else next = { ...next, headers: { ...next.headers, 'X-Prometheus-Remote-Write-Samples-Written': String(n) } };
          fake.received.push({ headers: req.headers, req: { timeseries: [], metadata: [] }, v2, status: next.status, at: Date.now() });
        } else fake.received.push({ headers: req.headers, req: decompressWriteRequest(Buffer.concat(chunks)), status: next.status, at: Date.now() });
      } catch (e) {
        res.writeHead(400).end(`bad body: ${(e as Error).message}`);
        return;
      }
      const h: Record<string, string> = { ...next.headers };
      if (next.retryAfter) h['Retry-After'] = next.retryAfter;
      res.writeHead(next.status, h).end(next.body ?? '');
    });
  });
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  fake.close = () => new Promise<void>((r) => {
    srv.close(() => r());
    srv.closeAllConnections();
  });
  return fake;
}
