// A real full file system (a 512 KiB tmpfs; needs root to mount, skipped otherwise): writes
// fail with ENOSPC, consume() refuses (retryable) instead of acknowledging, nothing already
// acknowledged is lost, and the queue takes data again once delivery frees space.
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../../src/component/consumer.js';
import { bodies, logs } from './fixtures.js';
import { persistentSender, until } from './pq-helpers.js';
import { tmpfsForSuite } from '../helpers/tmpfs.js';

const tmpfs = tmpfsForSuite('512k');

describe('persistent queue on a full disk', () => {
  it('refuses (retryable) on ENOSPC, keeps what it acknowledged, recovers', async (ctx) => {
    if (!tmpfs.mounted) ctx.skip();
    let open = false;
    const got: string[] = [];
    const q = await persistentSender(tmpfs.path, async (d) => {
      if (!open) throw new Error('backend down');
      got.push(...bodies(d));
    }, { queue_size: 1_000_000 }, { segmentBytes: 32 * 1024 });
    const acked: string[] = [];
    let refusal: unknown;
    for (let i = 0; i < 2000 && !refusal; i++) {
      await q.s.consumer.consume(logs(`d${i}`, 20)).then(
        () => void acked.push(...Array.from({ length: 20 }, (_, j) => `d${i}-${j}`)),
        (e: unknown) => (refusal = e),
      );
    }
    expect(refusal).toBeInstanceOf(ConsumerError);
    expect((refusal as ConsumerError).kind).toBe('retryable');
    expect(String((refusal as Error).message)).toMatch(/ENOSPC|no space|short write/i);
    expect(acked.length).toBeGreaterThan(100);
    // A second refusal is not logged again (once a minute).
    await q.s.consumer.consume(logs('again', 20)).catch(() => {});
    expect(q.set.lines.filter((l) => l.msg === 'persistent queue write failed; batches refused (retryable)').length).toBe(1);
    open = true;
    await until(() => new Set(got).size >= acked.length, 30_000);
    const have = new Set(got);
    expect(acked.filter((id) => !have.has(id))).toEqual([]);
    await until(() => q.m('telemd_exporter_queue_disk_bytes') === 0, 10_000);
    await q.s.consumer.consume(logs('later', 20));
    await until(() => got.includes('later-19'));
    await q.stop();
  });
});
