// Soak (TELEMD_SOAK=1): the backend is down for OUTAGE_S seconds (default 60) while 5,000
// items/s flow in; once it is back every item arrives. Memory queue (blocking: the producer
// is held back, nothing refused is counted as sent) and persistent queue.
import { describe, expect, it } from 'vitest';
import { createQueuedSender } from '../../src/exporterhelper/index.js';
import { metric, tempDir, testSettings } from '../storage/helpers.js';
import { bodies, hostWith, logs, queueCfg, retryCfg } from './fixtures.js';
import { persistentSender, until } from './pq-helpers.js';

const OUTAGE_S = Number(process.env.OUTAGE_S ?? 60);
const soak = process.env.TELEMD_SOAK ? describe : describe.skip;

async function drive(consume: (b: ReturnType<typeof logs>) => Promise<void>, seconds: number): Promise<{ acked: string[]; refused: number }> {
  const acked: string[] = [];
  let refused = 0;
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const pending: Promise<void>[] = [];
  // 50 batches of 100 records per second = 5,000 items/s, each batch in flight on its own.
  while (Date.now() < end) {
    const tag = `o${n++}`;
    pending.push(
      consume(logs(tag, 100)).then(
        () => void acked.push(...Array.from({ length: 100 }, (_, j) => `${tag}-${j}`)),
        () => void refused++,
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(pending);
  return { acked, refused };
}

soak('outage under load', () => {
  it(`persistent queue: ${OUTAGE_S}s outage at 5k items/s, everything acknowledged arrives`, async () => {
    let up = false;
    const got = new Set<string>();
    const q = await persistentSender(await tempDir(), async (d) => {
      if (!up) throw new Error('connection refused');
      for (const b of bodies(d)) got.add(b);
    }, { queue_size: 100_000, num_consumers: 4 }, { retry: { initial_interval: '1s', max_interval: '5s', max_elapsed_time: '0' } });
    let peakDisk = 0;
    const probe = setInterval(() => (peakDisk = Math.max(peakDisk, q.m('telemd_exporter_queue_disk_bytes'))), 500);
    const flow = drive((b) => q.s.consumer.consume(b), OUTAGE_S + 5);
    await new Promise((r) => setTimeout(r, OUTAGE_S * 1000));
    up = true;
    const { acked, refused } = await flow;
    await until(() => acked.every((id) => got.has(id)), 120_000);
    clearInterval(probe);
    console.log(`persistent outage ${OUTAGE_S}s: acked ${acked.length} items, refused batches ${refused}, delivered unique ${got.size}, peak queue on disk ${peakDisk} bytes`);
    expect(refused).toBe(0);
    await q.stop();
  }, (OUTAGE_S + 180) * 1000);

  it(`memory queue: ${OUTAGE_S}s outage at 5k items/s, nothing acknowledged is lost`, async () => {
    let up = false;
    const got = new Set<string>();
    const set = testSettings('otlp/mem', 'exporter');
    const s = createQueuedSender({
      set,
      signal: 'logs',
      queue: queueCfg({ queue_size: 100_000, num_consumers: 4 }),
      retry: retryCfg({ initial_interval: '1s', max_interval: '5s', max_elapsed_time: '0' }),
      timeoutMs: 5000,
      push: async (d) => {
        if (!up) throw new Error('connection refused');
        for (const b of bodies(d)) got.add(b);
      },
    });
    await s.start(hostWith());
    const flow = drive((b) => s.consumer.consume(b), OUTAGE_S + 5);
    await new Promise((r) => setTimeout(r, OUTAGE_S * 1000));
    up = true;
    const { acked, refused } = await flow;
    const missing = acked.filter((id) => !got.has(id));
    console.log(`memory outage ${OUTAGE_S}s: acked ${acked.length} items, refused batches ${refused}, delivered unique ${got.size}, missing ${missing.length}, sent counter ${metric(set.registry, 'telemd_exporter_sent_items_total')}`);
    expect(missing).toEqual([]);
    expect(refused).toBe(0);
    await s.shutdown();
  }, (OUTAGE_S + 180) * 1000);
});
