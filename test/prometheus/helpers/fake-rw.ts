// A remote-write endpoint under test control: records decoded requests and answers with a
// scripted sequence of statuses.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { decompressWriteRequest, type WriteRequest } from '../../../src/prometheus/index.js';
import { freePort } from '../../helpers/ports.js';

export interface Received {
  headers: IncomingHttpHeaders;
  req: WriteRequest;
  status: number;
  at: number;
}

export interface FakeRw {
  url: string;
  received: Received[];
  /** Statuses to answer next, in order; then 200. Entries may carry a Retry-After. */
  script: { status: number; retryAfter?: string; body?: string }[];
  close(): Promise<void>;
}

export async function startFakeRw(): Promise<FakeRw> {
  const port = await freePort();
  const fake: FakeRw = { url: `http://127.0.0.1:${port}/api/v1/write`, received: [], script: [], close: async () => {} };
  const srv: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const next = fake.script.shift() ?? { status: 200 };
      try {
        fake.received.push({ headers: req.headers, req: decompressWriteRequest(Buffer.concat(chunks)), status: next.status, at: Date.now() });
      } catch (e) {
        res.writeHead(400).end(`bad body: ${(e as Error).message}`);
        return;
      }
      const h: Record<string, string> = {};
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
