// Review finding 6: after num_consumers changes, the persistent queues of the earlier shard count
// are moved into the new shards at start (not orphaned on disk), before new data, so every
// acknowledged batch is delivered once and each series stays in timestamp order.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteWriteExporter } from '../../exporters/prometheusremotewrite/exporter.js';
import { factory } from '../../exporters/prometheusremotewrite/index.js';
import { factory as fileStorage } from '../../extensions/file_storage/index.js';
import type { FileStorage } from '../../extensions/file_storage/file-storage.js';
import type { ComponentId, Host } from '../../src/component/component.js';
import { ParseContext } from '../../src/config/schema.js';
import type { Signal } from '../../src/pdata/types.js';
import { waitUntil } from '../helpers/wait.js';
import { createQueuedSender } from '../../src/exporterhelper/index.js';
import { ConsumerError } from '../../src/component/consumer.js';
import { cpuTime, md, settings } from './fixtures.js';
import { startFakeRw, type FakeRw } from './helpers/fake-rw.js';

const parse = <C>(f: { config: { parse(v: unknown, c: ParseContext): C } }, raw: unknown): C => {
  const ctx = new ParseContext();
  const c = f.config.parse(raw, ctx);
  if (ctx.issues.length) throw new Error(JSON.stringify(ctx.issues));
  return c;
};

let dir = '';
let fake: FakeRw | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function storage() {
  const st = fileStorage.create(settings('file_storage') as never, parse(fileStorage, { directory: dir })) as FileStorage;
  await st.start();
  return st;
}

/** One agent lifetime: file_storage + the exporter with `n` shards. */
async function open(n: number) {
  const st = await storage();
  const host = {
    getExtension: () => undefined,
    reportFatal: () => {},
    getStorage: (_ext: string, owner: ComponentId, signal?: Signal) => st.getClient('exporter', owner, signal),
  } as unknown as Host;
  const rw = new RemoteWriteExporter(
    settings('prometheusremotewrite'),
    parse(factory, {
      endpoint: fake!.url, sending_queue: { storage: 'file_storage', num_consumers: n },
      retry_on_failure: { initial_interval: '20ms', max_interval: '50ms', max_elapsed_time: '0' },
      stale_markers: { enabled: false }, target_info: { enabled: false }, resource_to_telemetry_conversion: { enabled: true },
    }),
  );
  await rw.start(host);
  return {
    rw,
    close: async () => {
      await rw.shutdown(300);
      await st.shutdown();
    },
  };
}

const T = 1_700_000_000_000n * 1_000_000n;
const batch = (i: number, host: string) => md([cpuTime(T + BigInt(i) * 1_000_000_000n, i, i)], { 'service.name': 's', 'host.name': host });
/** Delivered samples per series (host + state), in arrival order. */
function delivered(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of fake!.received)
    if (r.status < 300)
      for (const ts of r.req.timeseries) {
        const l = Object.fromEntries(ts.labels.map((x) => [x.name, x.value]));
        const k = `${l.host_name}/${l.state}`;
        out.set(k, [...(out.get(k) ?? []), ...ts.samples.map((s) => Number(s.timestampMs))]);
      }
  return out;
}
const segments = () => readdirSync(dir).filter((d) => d.includes('shard')).flatMap((d) => readdirSync(join(dir, d, 'data')).filter((f) => f.endsWith('.seg')));

describe('prometheusremotewrite persistent shard queues after num_consumers changes', () => {
  for (const [from, to] of [[4, 1], [1, 3], [3, 2]] as const)
    it(`moves every acknowledged batch from ${from} shard(s) to ${to}, before new data`, async () => {
      dir = mkdtempSync(join(tmpdir(), 'prw-layout-'));
      fake = await startFakeRw();
      // Backend down: 20 batches (10 hosts x 2 collections) are acknowledged into the persistent queues.
      for (let i = 0; i < 10_000; i++) fake.script.push({ status: 503 });
      const a = await open(from);
      for (let i = 0; i < 20; i++) await a.rw.consumers.metrics!.consume(batch(i, `h${i % 10}`));
      await a.close();
      expect(delivered().size).toBe(0);
      fake.script.length = 0;

      const b = await open(to);
      // New data of the same series, accepted right after start: it must arrive after the old.
      for (let i = 0; i < 10; i++) await b.rw.consumers.metrics!.consume(batch(20 + i, `h${i}`));
      await waitUntil(() => [...delivered().values()].reduce((n, v) => n + v.length, 0) >= 60, 10_000);
      await b.close();
      const got = delivered();
      expect(got.size).toBe(20); // 10 hosts x 2 states
      for (const [k, ts] of got) {
        const h = Number(k.slice(1, k.indexOf('/')));
        const want = [h, h + 10, h + 20].map((i) => Number((T + BigInt(i) * 1_000_000_000n) / 1_000_000n));
        expect(ts, k).toEqual(want); // each once, in order
      }
      expect(segments()).toEqual([]);
    });

  it('moves the queues of builds that named shards shard<i> (upgrade, same num_consumers)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'prw-layout-'));
    fake = await startFakeRw();
    // What an older build left: batches of shard i of 3 in the queue of id "shard<i>".
    const st = await storage();
    const host = { getStorage: (_e: string, owner: ComponentId, signal?: Signal) => st.getClient('exporter', owner, signal) } as unknown as Host;
    const set = settings('prometheusremotewrite');
    for (let i = 0; i < 3; i++) {
      const q = createQueuedSender({
        set: { ...set, id: { ...set.id, name: `shard${i}`, id: `${set.id.id}#shard${i}` } }, signal: 'metrics',
        queue: parse(factory, { endpoint: fake.url, sending_queue: { storage: 'file_storage' } }).sending_queue,
        retry: parse(factory, { endpoint: fake.url }).retry_on_failure, timeoutMs: 1000,
        push: () => Promise.reject(ConsumerError.retryable('down')),
      });
      await q.start(host);
      for (let h = 0; h < 10; h++) if (h % 3 === i) await q.consumer.consume(batch(h, `h${h}`));
      await q.shutdown(100);
    }
    await st.shutdown();
    const b = await open(3);
    await waitUntil(() => delivered().size === 20, 10_000);
    await b.close();
    expect([...delivered().values()].every((v) => v.length === 1)).toBe(true);
    expect(segments()).toEqual([]);
  });
});

