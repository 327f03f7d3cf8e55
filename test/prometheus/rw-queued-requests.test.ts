// Issue 19: the remote-write exporter translates, shards and encodes when a batch arrives and
// queues request bytes. The persistent queue holds Remote-Write requests (not OTLP records), and
// each request of a split batch is its own entry: after a restart in the middle of a split batch
// only the requests not yet delivered are sent (resending a delivered one is refused by
// Prometheus as out of order).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteWriteExporter } from '../../exporters/prometheusremotewrite/exporter.js';
import { factory } from '../../exporters/prometheusremotewrite/index.js';
import { factory as fileStorage } from '../../extensions/file_storage/index.js';
import type { FileStorage } from '../../extensions/file_storage/file-storage.js';
import type { Host } from '../../src/component/component.js';
import { ParseContext } from '../../src/config/schema.js';
import { PROMETHEUS_RW1_CODEC } from '../../src/exporterhelper/codec.js';
import { scanSegment } from '../../src/exporterhelper/scan.js';
import { decodeWriteRequest } from '../../src/prometheus/index.js';
import type { Metric } from '../../src/pdata/types.js';
import { testHost } from '../helpers/host.js';
import { waitUntil } from '../helpers/wait.js';
import { md, settings } from './fixtures.js';
import { startFakeRw, type FakeRw } from './helpers/fake-rw.js';

let dir = '';
let fake: FakeRw | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(extra: Record<string, unknown> = {}) {
  const st = fileStorage.create(settings('file_storage') as never, fileStorage.config.parse({ directory: dir }, new ParseContext())) as FileStorage;
  await st.start();
  const host: Host = testHost({ getStorage: (_e, owner, signal) => st.getClient('exporter', owner!, signal) });
  const ctx = new ParseContext();
  const cfg = factory.config.parse({
    endpoint: fake!.url, max_batch_size_bytes: 1024, sending_queue: { storage: 'file_storage', num_consumers: 1 },
    retry_on_failure: { initial_interval: '20ms', max_interval: '20ms', max_elapsed_time: '0' },
    stale_markers: { enabled: false }, target_info: { enabled: false }, ...extra,
  }, ctx);
  expect(ctx.issues).toEqual([]);
  const rw = new RemoteWriteExporter(settings('prometheusremotewrite'), cfg);
  await rw.start(host);
  return { rw, close: async () => (await rw.shutdown(200), await st.shutdown()) };
}

const gauge = (ts: bigint, n: number): Metric => ({
  name: 'queue_depth', unit: '', type: 'gauge',
  dataPoints: Array.from({ length: n }, (_, i) => ({ attributes: { queue: `q${i}` }, startTimeUnixNano: 0n, timeUnixNano: ts, value: i })),
});
const T = BigInt(Date.now() - 60_000) * 1_000_000n;

/** Every record of the queue's segment files: codec id and payload. */
function records(): { codec: number; payload: Buffer }[] {
  const out: { codec: number; payload: Buffer }[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.seg')) {
        const buf = readFileSync(join(d, e.name));
        for (const r of scanSegment(buf, -1).records) out.push({ codec: r.codec, payload: buf.subarray(r.offset + 32, r.offset + r.length) });
      }
    }
  };
  walk(dir);
  return out;
}

describe('prometheusremotewrite queues request bytes', () => {
  it('the persistent queue holds Remote-Write requests, one per split part, encoded once on arrival', async () => {
    dir = mkdtempSync(join(tmpdir(), 'prw-req-'));
    fake = await startFakeRw();
    for (let i = 0; i < 1000; i++) fake.script.push({ status: 503 });
    const a = await open();
    await a.rw.consumers.metrics!.consume(md([gauge(T, 60)]));
    await a.close();
    const recs = records();
    expect(recs.length).toBeGreaterThan(2); // split at max_batch_size_bytes: one record per request
    expect(recs.every((r) => r.codec === PROMETHEUS_RW1_CODEC)).toBe(true);
    const series = recs.flatMap((r) => decodeWriteRequest(r.payload).timeseries);
    expect(series).toHaveLength(60);
    // Every attempt sent exactly the queued bytes (no translation per retry).
    const attempts = fake.received.map((r) => JSON.stringify(r.req));
    expect(new Set(attempts).size).toBe(1);
    expect(JSON.stringify(decodeWriteRequest(recs[0]!.payload))).toBe(attempts[0]);
  });

  it('after a restart in the middle of a split batch, sends only the requests not yet delivered', async () => {
    dir = mkdtempSync(join(tmpdir(), 'prw-req-'));
    fake = await startFakeRw();
    // The 1st request goes through, then the backend fails until the agent is restarted.
    fake.script.push({ status: 200 });
    for (let i = 0; i < 1000; i++) fake.script.push({ status: 503 });
    const a = await open();
    await a.rw.consumers.metrics!.consume(md([gauge(T, 60), gauge(T + 10_000_000_000n, 60)]));
    await waitUntil(() => fake!.received.length >= 3);
    await a.close();
    fake.script.length = 0;
    const b = await open();
    await waitUntil(() => records().length === 0, 10_000);
    await b.close();
    const ok = fake.received.filter((r) => r.status === 200);
    const samples = ok.flatMap((r) => r.req.timeseries.flatMap((t) => t.samples.map((s) => `${t.labels.find((l) => l.name === 'queue')!.value}@${s.timestampMs}`)));
    expect(samples).toHaveLength(120); // each sample delivered once: the delivered request was not resent
    expect(new Set(samples).size).toBe(120);
  });
});
