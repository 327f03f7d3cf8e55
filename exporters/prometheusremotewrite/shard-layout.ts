// Persistent shard queues are named after the shard count, and the counts whose queues may
// still hold data are recorded in storage. After num_consumers changes, start() moves the old
// queues' batches into the new shards (re-sharded by series, oldest first) before any new
// data arrives, so nothing is orphaned on disk and each series stays in timestamp order.
import type { ComponentId, CreateSettings, Host } from '../../src/component/component.js';
import { asConsumerError } from '../../src/component/consumer.js';
import type { SendingQueueConfig } from '../../src/exporterhelper/config.js';
import { protoCodec } from '../../src/exporterhelper/codec.js';
import { PersistentQueue } from '../../src/exporterhelper/persistent-queue.js';
import { OutcomeReporter } from '../../src/exporterhelper/outcome.js';
import { delivered, handedBack } from '../../src/component/outcome.js';
import type { Batch, BatchEncoding } from '../../src/exporterhelper/batch.js';

const LAYOUT_KEY = 'shard_layouts';

/**
 * Storage id of shard `i` of `n` (n = 1 keeps the exporter's own id). A negative n is the naming
 * of builds before the layout record (`shard<i>`), read once after an upgrade.
 */
export function shardId(id: ComponentId, n: number, i: number): ComponentId {
  if (n === 1) return id;
  const suffix = n < 0 ? `shard${i}` : `shard${i}of${n}`;
  return { ...id, name: `${id.name ? `${id.name}_` : ''}${suffix}`, id: `${id.id}#${suffix}` };
}

function layoutId(id: ComponentId): ComponentId {
  return { ...id, name: `${id.name ? `${id.name}_` : ''}shard_layout`, id: `${id.id}#shard_layout` };
}

function parseLayouts(b: Buffer | undefined): number[] {
  if (!b) return [];
  try {
    const v: unknown = JSON.parse(b.toString('utf8'));
    return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x) && x !== 0 && x !== -1) : [];
  } catch {
    return [];
  }
}

/**
 * Records `n` as the current layout and moves every batch of older layouts into `route` (the
 * new shards, already started). A batch is removed from its old queue only once `route`
 * accepted it; on a refusal the rest stays on disk (and in the record) for the next start.
 */
export async function migrateShardLayouts(
  set: CreateSettings,
  host: Host,
  queue: SendingQueueConfig & { storage: string },
  n: number,
  encoding: BatchEncoding<'metrics'>,
  route: (b: Batch<'metrics'>) => Promise<void>,
): Promise<void> {
  const meta = await host.getStorage(queue.storage, layoutId(set.id), 'metrics');
  try {
    const rec = await meta.get(LAYOUT_KEY);
    // No record: first start, or an upgrade from a build that named n > 1 shards `shard<i>`.
    const old = rec === undefined ? (n > 1 ? [-n] : []) : parseLayouts(rec).filter((m) => m !== n);
    await meta.set(LAYOUT_KEY, JSON.stringify([...old, n]));
    const left: number[] = [];
    for (const m of old) {
      let batches = 0;
      let items = 0;
      let complete = true;
      for (let i = 0; i < Math.abs(m); i++) {
        const r = await drainQueue(set, host, queue, shardId(set.id, m, i), encoding, route);
        batches += r.batches;
        items += r.items;
        complete &&= r.complete;
      }
      if (!complete) left.push(m);
      const fields = { from_shards: Math.abs(m), to_shards: n, batches, items };
      if (complete && batches === 0) set.logger.debug(fields, 'no batches in the persistent shard queues of an earlier num_consumers');
      else if (complete) set.logger.info(fields, 'persistent shard queues of an earlier num_consumers moved into the current shards');
      else set.logger.error(fields, 'persistent shard queues of an earlier num_consumers only partly moved; the rest is kept for the next start');
    }
    if (left.length !== old.length) await meta.set(LAYOUT_KEY, JSON.stringify([...left, n]));
  } finally {
    await meta.close();
  }
}

async function drainQueue(
  set: CreateSettings,
  host: Host,
  queue: SendingQueueConfig & { storage: string },
  id: ComponentId,
  encoding: BatchEncoding<'metrics'>,
  route: (b: Batch<'metrics'>) => Promise<void>,
): Promise<{ batches: number; items: number; complete: boolean }> {
  const client = await host.getStorage(queue.storage, id, 'metrics');
  const t = set.telemetry;
  // Same self-metrics as the exporter's own queues (one variable, so counters added there later still type-check).
  const counters = {
    corrupt: (reason: string) => t.counter('telemd_exporter_queue_corrupt_records_total', 'Damaged records skipped in the persistent queue', { signal: 'metrics', reason }),
    syncs: t.counter('telemd_exporter_queue_disk_syncs_total', 'Group commits (write + fdatasync) of the persistent queue', { signal: 'metrics' }),
    readErrors: t.counter('telemd_exporter_queue_read_errors_total', 'Failed reads of persistent queue records (kept and read again)', { signal: 'metrics' }),
  };
  const pq = new PersistentQueue<'metrics'>('metrics', { ...queue, when_full: 'block' }, client, protoCodec, set.logger, counters, new OutcomeReporter(set, 'metrics'), { encoding });
  try {
    await pq.start();
  } catch (err) {
    await client.close();
    throw err;
  }
  const out = { batches: 0, items: 0, complete: true };
  // take() waits for new data when nothing is pending (e.g. the last records were unreadable):
  // closing the queue once it is empty ends that wait.
  const poll = setInterval(() => pq.size() === 0 && pq.close(), 50);
  try {
    while (pq.size() > 0) {
      const lease = await pq.take();
      if (!lease) break;
      try {
        await route(lease.batch);
      } catch (err) {
        lease.settle(handedBack('shutdown', asConsumerError(err)));
        set.logger.error({ queue: id.id, error: (err as Error).message }, 'cannot move a batch of an old shard queue');
        out.complete = false;
        break;
      }
      lease.settle(delivered);
      out.batches++;
      out.items += lease.batch.items;
    }
  } finally {
    clearInterval(poll);
    await pq.stop();
  }
  return out;
}
