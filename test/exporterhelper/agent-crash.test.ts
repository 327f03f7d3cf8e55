// The real agent: OTLP/HTTP in -> otlphttp out over a persistent queue. The backend is down,
// every request answered 200 is remembered, the agent is killed with SIGKILL, the backend comes
// up, the agent restarts: every acknowledged record must arrive.
import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { startAgent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../storage/helpers.js';
import { until } from './pq-helpers.js';

function request(ids: string[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'crash-test' } }] },
        scopeLogs: [{ scope: { name: 't' }, logRecords: ids.map((id) => ({ timeUnixNano: '1700000000000000000', body: { stringValue: id } })) }],
      },
    ],
  });
}

interface JsonLogs {
  resourceLogs?: { scopeLogs?: { logRecords?: { body?: { stringValue?: string } }[] }[] }[];
}

function backend(port: number, got: string[]): Promise<Server> {
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonLogs;
      for (const rl of body.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const r of sl.logRecords ?? []) got.push(String(r.body?.stringValue));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((r) => srv.listen(port, '127.0.0.1', () => r(srv)));
}

describe('agent with a persistent sending queue', () => {
  it('delivers every acknowledged record after kill -9 while the backend was down', async () => {
    const dir = await tempDir();
    const [inPort, outPort] = [await freePort(), await freePort()];
    const config = `
extensions:
  file_storage/queue:
    directory: ${join(dir, 'state')}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${inPort}
exporters:
  otlphttp:
    endpoint: http://127.0.0.1:${outPort}
    encoding: json
    compression: none
    timeout: 2s
    sending_queue:
      storage: file_storage/queue
      queue_size: 100000
    retry_on_failure:
      initial_interval: 50ms
      max_interval: 200ms
      max_elapsed_time: 0
service:
  extensions: [file_storage/queue]
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [otlphttp]
`;
    const a1 = await startAgent({ config, dir });
    const acked: string[] = [];
    let refused = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 25; i++) {
          const ids = Array.from({ length: 20 }, (_, j) => `w${w}-r${i}-${j}`);
          const res = await fetch(`http://127.0.0.1:${inPort}/v1/logs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: request(ids),
          });
          await res.arrayBuffer();
          if (res.status === 200) acked.push(...ids);
          else refused++;
        }
      }),
    );
    expect(acked.length).toBe(8 * 25 * 20);
    await a1.kill9();

    const got: string[] = [];
    const srv = await backend(outPort, got);
    try {
      const a2 = await startAgent({ config, dir });
      await until(() => {
        const have = new Set(got);
        return acked.every((id) => have.has(id));
      }, 30_000).catch(() => {});
      const have = new Set(got);
      const missing = acked.filter((id) => !have.has(id));
      console.log(`agent kill -9: acked ${acked.length} records (${refused} requests refused), delivered after restart ${got.length}, unique ${have.size}, duplicates ${got.length - have.size}, missing ${missing.length}`);
      expect(missing.length).toBe(0);
      const metrics = await (await fetch(`http://127.0.0.1:${a2.selfMetricsPort}/metrics`)).text();
      const sent = metrics.split('\n').find((l) => l.startsWith('telemd_exporter_sent_items_total') && l.includes('signal="logs"'));
      expect(Number(sent?.split(' ').pop())).toBe(got.length);
      expect(metrics).toMatch(/telemd_exporter_queue_capacity\{[^}]*signal="logs"[^}]*\} 100000/);
      expect(await a2.stop()).toBe(0);
    } finally {
      srv.close();
    }
  });
});
