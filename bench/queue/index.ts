// Throughput of the shared sending queue: batches/s and items/s from 16 concurrent producers
// through the memory queue and the persistent queue (fsync on, on the tmp file system), to a
// push that accepts at once. Peer, run side by side: a naive durable queue with one
// write+fdatasync per batch (no group commit, no read back, no ack pointer) — what the same
// durability promise costs without group commit. The machine is shared: each scenario runs in
// interleaved rounds and the best round counts. BENCH_SECONDS, BENCH_ITEMS, BENCH_REPEAT tune it.
console.log('includes: the sending queue in this process (memory and persistent, fsync on) and a naive fdatasync-per-batch peer, best of interleaved rounds; excludes: producers data generation, process start-up, the consumer side (a push that accepts at once)');
import { mkdtemp, open, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { factory as fileStorage } from '../../extensions/file_storage/index.js';
import type { FileStorage } from '../../extensions/file_storage/file-storage.js';
import { parseComponentId, type Host } from '../../src/component/component.js';
import { ParseContext } from '../../src/config/schema.js';
import { createQueuedSender, jsonCodec, protoCodec, retrySchema, sendingQueueSchema, v8Codec, type Codec } from '../../src/exporterhelper/index.js';
import type { LogsData } from '../../src/pdata/types.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const PRODUCERS = 16;
const ITEMS = Number(process.env.BENCH_ITEMS ?? 100);

function batch(n: number): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: { 'service.name': 'bench', 'host.name': 'h1' } },
        scopeLogs: [
          {
            scope: { name: 'bench', version: '1' },
            logRecords: Array.from({ length: n }, (_, i) => ({
              timeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
              observedTimeUnixNano: 1_700_000_000_000_000_000n,
              severityNumber: 9,
              severityText: 'INFO',
              body: `GET /api/v1/items/${i} 200 ${i * 7} bytes in 3.2ms user=alice`,
              attributes: { 'http.method': 'GET', 'http.status_code': 200n, duration: 3.2, ok: true },
              traceId: new Uint8Array(16).fill(i & 255),
              spanId: new Uint8Array(8).fill(7),
            })),
          },
        ],
      },
    ],
  };
}

const parse = <T>(schema: { parse(v: unknown, c: ParseContext): T }, v: unknown): T => schema.parse(v, new ParseContext());

async function run(name: string, queue: Record<string, unknown>, opts: { codec?: Codec; hot?: number } = {}): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'telemd-bench-'));
  const registry = new MetricRegistry();
  const logger = pino({ level: 'warn' });
  let storage: FileStorage | undefined;
  if (queue.storage) {
    storage = fileStorage.create(
      { id: parseComponentId('file_storage')!, kind: 'extension', logger, telemetry: new SelfTelemetry(registry) },
      parse(fileStorage.config, { directory: dir }),
    ) as FileStorage;
    await storage.start();
  }
  const id = parseComponentId('otlp')!;
  let delivered = 0;
  const s = createQueuedSender({
    set: { id, kind: 'exporter', logger, telemetry: new SelfTelemetry(registry) },
    signal: 'logs',
    queue: parse(sendingQueueSchema, { queue_size: 5000, num_consumers: 2, ...queue }),
    retry: parse(retrySchema, {}),
    timeoutMs: 5000,
    push: async (b) => void (delivered += b.items),
    codec: opts.codec,
    hotCacheBytes: opts.hot,
  });
  await s.start({ getStorage: () => storage!.getClient('exporter', id, 'logs') } as unknown as Host);
  const { acked, secs } = await produce(() => s.consumer.consume(batch(ITEMS)));
  await s.shutdown(10_000);
  await storage?.shutdown();
  await rm(dir, { recursive: true, force: true });
  const bps = acked / secs;
  const syncs = Number(/telemd_exporter_queue_disk_syncs_total\{[^}]*\} (\d+)/.exec(registry.renderPrometheus())?.[1] ?? 0);
  console.log(
    `${name.padEnd(44)} ${bps.toFixed(0).padStart(7)} batches/s ${(bps * ITEMS).toFixed(0).padStart(9)} items/s  (delivered ${delivered} items${syncs ? `, ${(acked / syncs).toFixed(1)} batches per fdatasync` : ''})`,
  );
  return bps;
}

/** PRODUCERS loops, each awaiting `send` again and again for SECONDS: batches acknowledged, seconds taken. */
async function produce(send: () => Promise<void>): Promise<{ acked: number; secs: number }> {
  let acked = 0;
  const end = Date.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (Date.now() < end) {
        await send();
        acked++;
      }
    }),
  );
  return { acked, secs: (performance.now() - t0) / 1000 };
}

/** The peer: one write + fdatasync per batch, serialized by a single file handle. */
async function naive(codec: Codec): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'telemd-bench-'));
  const fh = await open(join(dir, 'naive.log'), 'a');
  let chain: Promise<void> = Promise.resolve();
  const { acked, secs } = await produce(() => {
    const buf = codec.encode('logs', batch(ITEMS));
    chain = chain.then(async () => {
      await fh.write(buf);
      await fh.datasync();
    });
    return chain;
  });
  await fh.close();
  await rm(dir, { recursive: true, force: true });
  const bps = acked / secs;
  console.log(`${`peer: write+fdatasync per batch (${codec.name})`.padEnd(44)} ${bps.toFixed(0).padStart(7)} batches/s ${(bps * ITEMS).toFixed(0).padStart(9)} items/s`);
  return bps;
}

const REPEAT = Number(process.env.BENCH_REPEAT ?? 2);
console.log(
  `queue bench: ${PRODUCERS} producers, ${ITEMS} log records per batch, ${SECONDS}s per run, best of ${REPEAT} interleaved rounds, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
);
const scenarios: [string, () => Promise<number>][] = [
  ['memory queue', () => run('memory queue', {})],
  ['no queue', () => run('no queue (send in caller)', { enabled: false })],
  ['default', () => run('persistent, fsync, otlp-proto, hot cache (default)', { storage: 'file_storage' })],
  ['proto cold', () => run('persistent, fsync, otlp-proto, read back', { storage: 'file_storage' }, { codec: protoCodec, hot: 0 })],
  ['v8 cold', () => run('persistent, fsync, v8 codec, read back', { storage: 'file_storage' }, { codec: v8Codec, hot: 0 })],
  ['json cold', () => run('persistent, fsync, json codec, read back', { storage: 'file_storage' }, { codec: jsonCodec, hot: 0 })],
  ['peer', () => naive(protoCodec)],
];
const best = new Map<string, number>();
for (let r = 0; r < REPEAT; r++)
  for (const [key, fn] of scenarios) best.set(key, Math.max(best.get(key) ?? 0, await fn()));
const b = (k: string) => best.get(k)!;
console.log(`best batches/s: ${[...best].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
console.log('ratios (best of rounds):');
console.log(`  persistent default / peer (fdatasync per batch)  ${(b('default') / b('peer')).toFixed(2)}`);
console.log(`  persistent default / memory queue                ${(b('default') / b('memory queue')).toFixed(2)}`);
console.log(`  persistent read back / default (hot cache)       ${(b('proto cold') / b('default')).toFixed(2)}`);
console.log(`  otlp-proto / v8 codec (read back)                ${(b('proto cold') / b('v8 cold')).toFixed(2)}`);
console.log(`  otlp-proto / json codec (read back)              ${(b('proto cold') / b('json cold')).toFixed(2)}`);
console.log(`  no queue / memory queue                          ${(b('no queue') / b('memory queue')).toFixed(2)}`);
console.log(`load after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
