// An OTLP/HTTP backend for outage tests: decodes what arrives, counts seq ids, can go down and
// come back on the same port.
import { otlpReceiverYaml } from '../helpers/otlp-receiver.js';
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { decodeProto } from '../../src/otlp/index.js';

export class Backend {
  seqs: number[] = [];
  requests = 0;
  private server?: Server;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const srv = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        if (req.url === '/v1/logs')
          for (const rl of decodeProto('logs', body).resourceLogs)
            for (const sl of rl.scopeLogs) for (const r of sl.logRecords) this.seqs.push(Number(r.attributes.seq));
        res.setHeader('content-type', 'application/x-protobuf');
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = srv;
  }

  async down(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    if (!srv) return;
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

/**
 * Sends numbered logs at `perSecond` items/s in batches every 100 ms; a batch refused (503,
 * connection error) is sent again, as an SDK would. `acked` holds the seqs answered 200.
 */
export class Sender {
  acked = new Set<number>();
  sent = 0;
  refusals = 0;
  private stopped = false;
  private inflight = new Set<Promise<void>>();
  private loop?: Promise<void>;

  constructor(
    private url: string,
    private perSecond: number,
    private body: (from: number, n: number) => Uint8Array,
  ) {}

  start(): void {
    const per = Math.max(1, Math.round(this.perSecond / 10));
    this.loop = (async () => {
      let next = Date.now();
      while (!this.stopped) {
        const from = this.sent;
        this.sent += per;
        const p = this.deliver(from, per).finally(() => this.inflight.delete(p));
        this.inflight.add(p);
        next += 100;
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
    })();
  }

  private async deliver(from: number, n: number): Promise<void> {
    const body = this.body(from, n);
    for (;;) {
      try {
        const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
        await res.arrayBuffer();
        if (res.status === 200) {
          for (let i = 0; i < n; i++) this.acked.add(from + i);
          return;
        }
        this.refusals++;
      } catch {
        this.refusals++;
      }
      if (this.stopped) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stop generating; wait for in-flight batches (or give up on them if `abandon`). */
  async stop(abandon = false): Promise<void> {
    this.stopped = true;
    await this.loop;
    if (!abandon) await Promise.all([...this.inflight]);
  }
}

/** OTLP/HTTP on `rx` → batch → otlphttp to `backend` with a persistent queue in `state` (outage and crash tests). */
export function queueAgentConfig(rx: number, backend: string, state: string): string {
  return `
extensions:
  file_storage/queue: { directory: ${state} }
${otlpReceiverYaml({ http: rx }).trimStart()}processors:
  batch: { send_batch_size: 2000, timeout: 100ms }
exporters:
  otlphttp:
    endpoint: ${backend}
    sending_queue: { storage: file_storage/queue, num_consumers: 4 }
    retry_on_failure: { initial_interval: 100ms, max_interval: 1s, max_elapsed_time: 0 }
    timeout: 5s
service:
  extensions: [file_storage/queue]
  pipelines:
    logs: { receivers: [otlp], processors: [batch], exporters: [otlphttp] }
`;
}
