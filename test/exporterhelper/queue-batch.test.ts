// sending_queue.batch: workers join queued requests into one export, settle every request's
// acknowledgement with that export's outcome, and never hold data while the backend is idle.
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../../src/component/consumer.js';
import { concatBytes, createQueuedSender, protoCodec, type Batch, type BatchEncoding, type PushFn } from '../../src/exporterhelper/index.js';
import { decodeProto, encodeProto } from '../../src/otlp/index.js';
import { metric, tempDir, testSettings } from '../storage/helpers.js';
import { bodies, gate, hostWith, logs, queueCfg, retryCfg, state } from './fixtures.js';
import { persistentSender, until } from './pq-helpers.js';

const proto: BatchEncoding<'logs'> = {
  codecId: protoCodec.id,
  encode: (d) => encodeProto('logs', d),
  decode: (b) => decodeProto('logs', b),
  merge: concatBytes,
};

async function sender(push: PushFn<'logs'>, queue: Record<string, unknown>, retry: Record<string, unknown> = { initial_interval: '10ms', max_elapsed_time: '5s' }) {
  const set = testSettings('otlp/batch', 'exporter');
  const s = createQueuedSender({ set, signal: 'logs', queue: queueCfg(queue), retry: retryCfg(retry), timeoutMs: 5000, push, encoding: proto });
  await s.start(hostWith());
  return { s, set, m: (name: string, labels = {}) => metric(set.registry, name, labels) };
}

describe('sending_queue.batch', () => {
  it('sends at once while nothing is in flight, joins what queued up behind a send, and settles every request', async () => {
    const g = gate();
    const exports: Batch<'logs'>[] = [];
    const { s, m } = await sender(async (b) => {
      exports.push(b);
      if (exports.length === 1) await g.wait;
    }, { num_consumers: 1, queue_size: 1000, batch: { min_size: 8192, flush_timeout: '1h' } });
    // Idle backend: the first request goes out alone, without waiting for min_size or the timeout.
    const first = s.consumer.consume(logs('r0', 20));
    await until(() => exports.length === 1);
    // 99 more queue up behind it while it is in flight.
    const rest = Array.from({ length: 99 }, (_, i) => s.consumer.consume(logs(`r${i + 1}`, 20)));
    expect(await state(rest[0]!)).toBe('pending');
    g.open();
    await Promise.all([first, ...rest]);
    // ...and go as one export, protobuf requests joined without decoding.
    expect(exports.map((b) => b.items)).toEqual([20, 1980]);
    expect(bodies(exports[1]!).filter((b) => b.endsWith('-0'))).toEqual(Array.from({ length: 99 }, (_, i) => `r${i + 1}-0`));
    expect(m('telemd_exporter_sent_items_total')).toBe(2000);
    await s.shutdown();
  });

  it('holds a request while another export is in flight only until min_size, max_size or flush_timeout', async () => {
    const g = gate();
    const exports: number[] = [];
    const { s } = await sender(async (b) => {
      exports.push(b.items);
      if (exports.length === 1) await g.wait;
    }, { num_consumers: 2, batch: { min_size: 50, max_size: 60, flush_timeout: '50ms' } });
    const ps = [s.consumer.consume(logs('a', 10))];
    await until(() => exports.length === 1);
    // Worker 2 gathers while worker 1 is busy: 10-item requests until min_size (50) is reached.
    for (let i = 0; i < 7; i++) ps.push(s.consumer.consume(logs(`b${i}`, 10)));
    await until(() => exports.length === 3);
    expect(exports.slice(1)).toEqual([50, 20]); // 50 reached min_size; the last 20 went at flush_timeout
    g.open();
    await Promise.all(ps);
    await s.shutdown();
  });

  it('a joined export refused permanently refuses every request in it; out of retries hands every one back', async () => {
    const g = gate();
    let calls = 0;
    const { s, m } = await sender(async () => {
      if (++calls === 1) await g.wait;
      throw calls <= 2 ? ConsumerError.permanent('400 bad') : new Error('down');
    }, { num_consumers: 1, batch: {} }, { initial_interval: '5ms', max_interval: '5ms', max_elapsed_time: '60ms', randomization_factor: 0 });
    const first = s.consumer.consume(logs('x', 1)).catch((e: unknown) => e);
    await until(() => calls === 1);
    const joined = Array.from({ length: 5 }, (_, i) => s.consumer.consume(logs(`j${i}`, 2)).catch((e: unknown) => e));
    g.open();
    const errs = (await Promise.all([first, ...joined])) as ConsumerError[];
    expect(errs.map((e) => e.kind)).toEqual(['permanent', 'permanent', 'permanent', 'permanent', 'permanent', 'permanent']);
    expect(calls).toBe(2); // the five joined requests were one export
    expect(m('telemd_exporter_dropped_items_total', { reason: 'refused' })).toBe(11);
    const later = await Promise.all(Array.from({ length: 3 }, (_, i) => s.consumer.consume(logs(`k${i}`, 1)).catch((e: unknown) => e)));
    expect((later as ConsumerError[]).every((e) => e.kind === 'retryable')).toBe(true);
    expect(m('telemd_exporter_handed_back_items_total', { reason: 'retries_exhausted' })).toBe(3);
    await s.shutdown();
  });

  it('persistent queue: a backlog drains in a few joined exports, every record settled once', async () => {
    const dir = await tempDir();
    let up = false;
    const exports: number[] = [];
    const got: string[] = [];
    const q = await persistentSender(dir, async (b) => {
      if (!up) throw new Error('backend down');
      exports.push(b.items);
      got.push(...bodies(b));
    }, { num_consumers: 2 }, { encoding: proto, segmentBytes: 4096 });
    // Acknowledged on disk while the backend is down (batch not configured: on for a persistent queue).
    await Promise.all(Array.from({ length: 200 }, (_, i) => q.s.consumer.consume(logs(`p${i}`, 20))));
    up = true;
    await until(() => got.length === 4000);
    expect(exports.length).toBeLessThanOrEqual(6);
    expect(new Set(got).size).toBe(4000);
    await until(() => q.m('telemd_exporter_queue_size') === 0);
    await q.stop();
    // Nothing is sent again after a restart: every joined request was settled.
    const again: string[] = [];
    const q2 = await persistentSender(dir, async (b) => void again.push(...bodies(b)), {}, { encoding: proto });
    await new Promise((r) => setTimeout(r, 200));
    expect(again).toEqual([]);
    await q2.stop();
  });
});
