import { describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConsumerError } from '../../src/component/consumer.js';
import { jsonCodec, type Codec } from '../../src/exporterhelper/index.js';
import { tempDir } from '../storage/helpers.js';
import { bodies, logs, state } from './fixtures.js';
import { persistentSender, until } from './pq-helpers.js';

const down = async () => {
  throw new Error('backend down');
};
const queueDir = (dir: string) => join(dir, 'exporter_otlp_backend_logs', 'data');
async function segments(dir: string): Promise<string[]> {
  return (await readdir(queueDir(dir))).filter((f) => f.endsWith('.seg')).sort();
}

describe('persistent queue', () => {
  it('acknowledges once written, delivers everything, then deletes delivered segments', async () => {
    const dir = await tempDir();
    const got: string[] = [];
    let open = false;
    const q = await persistentSender(dir, async (d) => {
      if (!open) throw new Error('not yet');
      got.push(...bodies(d));
    }, {}, { segmentBytes: 4096 });
    // Acknowledged while the backend is still down: durability comes from the disk.
    for (let i = 0; i < 30; i++) await q.s.consumer.consume(logs(`b${i}`, 3));
    expect((await segments(dir)).length).toBeGreaterThan(1);
    expect(q.m('telemd_exporter_queue_size')).toBe(30);
    expect(q.m('telemd_exporter_queue_disk_bytes')).toBeGreaterThan(30 * 100);
    open = true;
    await until(() => got.length === 90);
    await until(() => q.m('telemd_exporter_queue_disk_bytes') === 0);
    expect(new Set(got).size).toBe(90);
    expect(await segments(dir)).toEqual([]);
    expect(q.m('telemd_exporter_sent_items_total')).toBe(90);
    expect(q.m('telemd_exporter_queue_corrupt_records_total')).toBe(0);
    await q.stop();
  });

  it('resumes after a graceful restart, reading batches back from disk', async () => {
    const dir = await tempDir();
    const q1 = await persistentSender(dir, down, {}, { hotCacheBytes: 0 });
    await Promise.all(Array.from({ length: 25 }, (_, i) => q1.s.consumer.consume(logs(`g${i}`, 2))));
    await q1.stop(200);
    const got: string[] = [];
    const q2 = await persistentSender(dir, async (d) => void got.push(...bodies(d)));
    await until(() => got.length === 50);
    expect(got.sort()).toEqual(Array.from({ length: 25 }, (_, i) => [`g${i}-0`, `g${i}-1`]).flat().sort());
    expect(q2.set.lines.some((l) => l.msg === 'persistent queue: resuming delivery of data left on disk' && l.batches === 25)).toBe(true);
    await q2.stop();
    // Nothing is sent twice once it was acknowledged and the pointer stored.
    const q3 = await persistentSender(dir, async (d) => void got.push(...bodies(d)));
    await new Promise((r) => setTimeout(r, 100));
    expect(got.length).toBe(50);
    await q3.stop();
  });

  it('skips a torn tail and a garbled record with a log line and a counter, delivers the rest', async () => {
    const dir = await tempDir();
    const q1 = await persistentSender(dir, down, {}, { segmentBytes: 1 << 20 });
    for (let i = 0; i < 10; i++) await q1.s.consumer.consume(logs(`t${i}`));
    await q1.stop(100);
    const [seg] = await segments(dir);
    const path = join(queueDir(dir), seg!);
    const size = (await stat(path)).size;
    const rec = size / 10;
    // Garble a byte inside record 3's payload, and tear record 9 in half (a crash mid-write).
    const buf = await readFile(path);
    buf[Math.floor(rec * 3 + rec / 2)] ^= 0xff;
    await writeFile(path, buf);
    await truncate(path, Math.floor(size - rec / 2));
    const got: string[] = [];
    const q2 = await persistentSender(dir, async (d) => void got.push(...bodies(d)));
    await until(() => got.length === 8);
    await new Promise((r) => setTimeout(r, 50));
    expect(got.sort()).toEqual(['t0-0', 't1-0', 't2-0', 't4-0', 't5-0', 't6-0', 't7-0', 't8-0']);
    expect(q2.m('telemd_exporter_queue_corrupt_records_total', { reason: 'torn_tail' })).toBe(1);
    expect(q2.m('telemd_exporter_queue_corrupt_records_total', { reason: 'corrupt_record' })).toBe(1);
    const warns = q2.set.lines.filter((l) => String(l.msg).startsWith('persistent queue: torn') || String(l.msg).startsWith('persistent queue: corrupt'));
    expect(warns.length).toBe(2);
    // New data after the damage still goes through, and a second restart is clean.
    await q2.s.consumer.consume(logs('after'));
    await until(() => got.includes('after-0'));
    await q2.stop();
    const q3 = await persistentSender(dir, async (d) => void got.push(...bodies(d)));
    expect(q3.m('telemd_exporter_queue_corrupt_records_total')).toBe(0);
    await q3.stop();
  });

  it('survives garbage files and an unreadable ack pointer without a crash loop', async () => {
    const dir = await tempDir();
    const q1 = await persistentSender(dir, down);
    await q1.s.consumer.consume(logs('z'));
    await q1.stop(100);
    await writeFile(join(queueDir(dir), '00000000000000000099.seg'), Buffer.from('not a queue record at all'));
    await writeFile(join(queueDir(dir), 'ack'), 'garbage garbage garbage garbage garbage garbage garbage garbage');
    const got: string[] = [];
    const q2 = await persistentSender(dir, async (d) => void got.push(...bodies(d)));
    await until(() => got.length === 1);
    expect(got).toEqual(['z-0']);
    expect(q2.m('telemd_exporter_queue_corrupt_records_total', { reason: 'torn_tail' })).toBe(1);
    expect(q2.m('telemd_exporter_queue_corrupt_records_total', { reason: 'ack_pointer' })).toBe(1);
    await q2.stop();
  });

  it('caps disk use: block waits, drop_newest refuses, drop_oldest evicts; all counted', async () => {
    const cap = 8 * 1024;
    // block
    const d1 = await tempDir();
    let open = false;
    const got: string[] = [];
    const q1 = await persistentSender(d1, async (d) => {
      if (!open) throw new Error('down');
      got.push(...bodies(d));
    }, { max_disk_size: cap, queue_size: 100000 }, { segmentBytes: 1024 });
    const acked: string[] = [];
    const ps = Array.from({ length: 40 }, (_, i) => q1.s.consumer.consume(logs(`c${i}`, 2)).then(() => void acked.push(`c${i}`)));
    await until(() => acked.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(acked.length).toBeLessThan(40);
    expect(q1.m('telemd_exporter_queue_disk_bytes')).toBeLessThanOrEqual(cap);
    open = true;
    await Promise.all(ps);
    await until(() => got.length === 80);
    await q1.stop();

    // drop_newest
    const d2 = await tempDir();
    const q2 = await persistentSender(d2, down, { max_disk_size: cap, when_full: 'drop_newest' }, { segmentBytes: 1024 });
    const r2 = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => q2.s.consumer.consume(logs(`n${i}`, 2))));
    const refused = r2.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => (r as PromiseRejectedResult).reason instanceof ConsumerError)).toBe(true);
    // Refused back to the producer (retryable): handed back, not lost.
    expect(q2.m('telemd_exporter_handed_back_items_total', { reason: 'queue_full' })).toBe(refused.length * 2);
    expect(q2.m('telemd_exporter_dropped_items_total', { reason: 'queue_full' })).toBe(0);
    expect(q2.m('telemd_exporter_queue_disk_bytes')).toBeLessThanOrEqual(cap);
    await q2.stop(100);

    // drop_oldest: every consume is acknowledged, the oldest are dropped for the newest.
    const d3 = await tempDir();
    const q3 = await persistentSender(d3, down, { max_disk_size: cap, when_full: 'drop_oldest' }, { segmentBytes: 1024 });
    await q3.s.consumer.consume(logs('o0', 2));
    const rec = q3.m('telemd_exporter_queue_disk_bytes');
    for (let i = 1; i < 60; i++) await q3.s.consumer.consume(logs(`o${i}`, 2));
    expect(q3.m('telemd_exporter_dropped_items_total', { reason: 'queue_full' })).toBeGreaterThan(0);
    expect(q3.m('telemd_exporter_queue_disk_bytes')).toBeLessThanOrEqual(cap);
    await q3.stop(100);
    const got3: string[] = [];
    const q4 = await persistentSender(d3, async (d) => void got3.push(...bodies(d)), { max_disk_size: cap });
    await until(() => got3.includes('o59-0'));
    await new Promise((r) => setTimeout(r, 50));
    expect(got3.includes('o0-0')).toBe(false);
    // Only as many as needed are dropped: the newest batches still fill a good part of the cap.
    const kept = got3.length / 2;
    const dropped = q3.m('telemd_exporter_dropped_items_total', { reason: 'queue_full' }) / 2;
    console.log(`drop_oldest with an ${cap}-byte cap and ${rec}-byte records: kept ${kept} of 60 batches, dropped ${dropped}`);
    expect(kept + dropped).toBe(60);
    // At most the cap's worth, at least the cap less two segments' worth (segment granularity).
    expect(kept).toBeLessThanOrEqual(Math.floor(cap / rec));
    expect(kept).toBeGreaterThanOrEqual(Math.floor((cap - 2 * 1024) / rec) - 1);
    expect(got3.slice(-2 * kept)).toContain('o59-1');
    await q4.stop();
  });

  it('refuses permanently a batch larger than max_disk_size', async () => {
    const q = await persistentSender(await tempDir(), down, { max_disk_size: 2048 });
    const err = (await q.s.consumer.consume(logs('huge', 200)).catch((e: unknown) => e)) as ConsumerError;
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/max_disk_size/);
    await q.stop(100);
  });

  it('groups concurrent writes into fewer fsyncs and keeps order', async () => {
    const got: string[] = [];
    const q = await persistentSender(await tempDir(), async (d) => void got.push(...bodies(d)), { num_consumers: 1 });
    const ps = Array.from({ length: 200 }, (_, i) => q.s.consumer.consume(logs(`o${i}`)));
    expect(await state(ps[0]!)).not.toBe('rejected');
    await Promise.all(ps);
    await until(() => got.length === 200);
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => `o${i}-0`));
    // 200 concurrent acknowledgements, far fewer fsyncs.
    expect(q.m('telemd_exporter_queue_disk_syncs_total')).toBeLessThan(50);
    await q.stop();
  });

  it('reads records of every codec after a change of format, and falls back when a codec fails', async () => {
    const dir = await tempDir();
    const q1 = await persistentSender(dir, down, {}, { codec: jsonCodec });
    await q1.s.consumer.consume(logs('json'));
    await q1.stop(100);
    const broken: Codec = {
      id: 200,
      name: 'broken',
      encode: () => {
        throw new Error('cannot encode');
      },
      decode: () => {
        throw new Error('never');
      },
    };
    const q2 = await persistentSender(dir, down, {}, { codec: broken });
    await q2.s.consumer.consume(logs('fallback'));
    expect(q2.set.lines.some((l) => String(l.msg).includes('stored it with the v8 codec'))).toBe(true);
    await q2.stop(100);
    const got: string[] = [];
    const q3 = await persistentSender(dir, async (d) => void got.push(...bodies(d)), {}, { hotCacheBytes: 0 });
    await until(() => got.length === 2);
    expect(got.sort()).toEqual(['fallback-0', 'json-0']);
    await q3.stop();
  });

  it('skips fsyncs when file_storage says fsync: false, and still survives a restart', async () => {
    const dir = await tempDir();
    const q1 = await persistentSender(dir, down, {}, { fsync: false });
    for (let i = 0; i < 5; i++) await q1.s.consumer.consume(logs(`f${i}`));
    expect(q1.m('telemd_exporter_queue_disk_syncs_total')).toBe(0);
    await q1.stop(100);
    const got: string[] = [];
    const q2 = await persistentSender(dir, async (d) => void got.push(...bodies(d)));
    await until(() => got.length === 5);
    await q2.stop();
  });

  it('moves an unreadable segment aside and starts anyway', async () => {
    const dir = await tempDir();
    const q1 = await persistentSender(dir, down);
    await q1.s.consumer.consume(logs('u'));
    await q1.stop(100);
    // A directory where a segment file should be: reading it fails with EISDIR.
    await mkdir(join(queueDir(dir), '00000000000000000500.seg'));
    const got: string[] = [];
    const q2 = await persistentSender(dir, async (d) => void got.push(...bodies(d)));
    await until(() => got.length === 1);
    expect(q2.m('telemd_exporter_queue_corrupt_records_total', { reason: 'unreadable' })).toBe(1);
    expect((await readdir(queueDir(dir))).includes('00000000000000000500.seg.unreadable')).toBe(true);
    await q2.stop();
  });
});
