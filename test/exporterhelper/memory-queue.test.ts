import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../../src/component/consumer.js';
import { createQueuedSender, Backoff, type Batch, type BatchEncoding, type PushFn } from '../../src/exporterhelper/index.js';
import { decodeProto, encodeProto } from '../../src/otlp/index.js';
import { metric, testSettings } from '../storage/helpers.js';
import { bodies, gate, hostWith, logs, queueCfg, retryCfg, state } from './fixtures.js';

const fastRetry = { initial_interval: '10ms', max_interval: '40ms', max_elapsed_time: '5s' };

async function sender(push: PushFn<'logs'>, queue: Record<string, unknown> = {}, retry: Record<string, unknown> = fastRetry, timeoutMs = 5000) {
  const set = testSettings('otlp/test', 'exporter');
  const s = createQueuedSender({ set, signal: 'logs', queue: queueCfg(queue), retry: retryCfg(retry), timeoutMs, push });
  await s.start(hostWith());
  return { s, set, m: (name: string, labels = {}) => metric(set.registry, name, labels) };
}

describe('backoff', () => {
  it('grows by the multiplier up to max_interval, jittered within ±randomization_factor', () => {
    const cfg = { initial_interval: 100, max_interval: 400, multiplier: 2, randomization_factor: 0.5 };
    const mid = new Backoff(cfg, () => 0.5);
    expect([1, 2, 3, 4].map(() => mid.next())).toEqual([100, 200, 400, 400]);
    const low = new Backoff(cfg, () => 0);
    const high = new Backoff(cfg, () => 0.999999);
    expect(low.next()).toBe(50);
    expect(high.next()).toBe(150);
    const real = new Backoff({ ...cfg, randomization_factor: 0.5 });
    const draws = Array.from({ length: 200 }, () => {
      real.reset();
      return real.next();
    });
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...draws)).toBeLessThanOrEqual(150);
    expect(new Set(draws).size).toBeGreaterThan(20);
  });
  it('uses the Collector defaults', () => {
    expect(retryCfg()).toMatchObject({ initial_interval: 5000, max_interval: 30000, max_elapsed_time: 300000, multiplier: 1.5 });
  });
});

describe('queued sender (memory queue)', () => {
  it('with an encoding, encodes each batch once on arrival: the bytes sizer and the push use those bytes', async () => {
    let encodes = 0;
    const encoding: BatchEncoding<'logs'> = {
      encode: (d) => (encodes++, encodeProto('logs', d)),
      decode: (b) => decodeProto('logs', b),
    };
    const got: Batch<'logs'>[] = [];
    const set = testSettings('otlp/test', 'exporter');
    const s = createQueuedSender({ set, signal: 'logs', queue: queueCfg({ sizer: 'bytes', queue_size: 1 << 20 }), retry: retryCfg(fastRetry), timeoutMs: 5000, encoding, push: async (b) => void got.push(b) });
    await s.start(hostWith());
    await s.consumer.consume(logs('A', 3));
    await s.shutdown();
    expect(encodes).toBe(1);
    expect(got).toHaveLength(1);
    expect(got[0]!.items).toBe(3);
    expect(Buffer.from(got[0]!.bytes!).equals(Buffer.from(encodeProto('logs', logs('A', 3))))).toBe(true);
    expect(bodies(got[0]!)).toEqual(['A-0', 'A-1', 'A-2']);
  });

  it('acknowledges only once the batch is delivered', async () => {
    const g = gate();
    const got: string[] = [];
    const { s, m } = await sender(async (d) => {
      await g.wait;
      got.push(...bodies(d));
    });
    const p = s.consumer.consume(logs('a', 3));
    expect(await state(p)).toBe('pending');
    g.open();
    await p;
    expect(got).toEqual(['a-0', 'a-1', 'a-2']);
    expect(m('telemd_exporter_sent_items_total', { signal: 'logs' })).toBe(3);
    await s.shutdown();
  });

  it('retries retryable failures with backoff and honours retry-after', async () => {
    const times: number[] = [];
    const { s, m, set } = await sender(async () => {
      times.push(Date.now());
      if (times.length === 1) throw new Error('connection refused');
      if (times.length === 2) throw ConsumerError.retryable('429', { retryAfterMs: 300 });
    });
    await s.consumer.consume(logs('r', 2));
    expect(times.length).toBe(3);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(295);
    expect(times[1]! - times[0]!).toBeLessThan(290);
    expect(m('telemd_exporter_retries_total')).toBe(2);
    expect(m('telemd_exporter_sent_items_total')).toBe(2);
    expect(set.lines.filter((l) => l.level === 40 && String(l.msg).startsWith('export failed, will retry')).length).toBe(1);
    expect(set.lines.some((l) => l.msg === 'export recovered' && l.retries === 2)).toBe(true);
    await s.shutdown();
  });

  it('drops permanent errors at once, counts them and logs once per cause with a sample', async () => {
    let calls = 0;
    const { s, set, m } = await sender(async () => {
      calls++;
      throw ConsumerError.permanent('400 bad data');
    });
    const e1 = await s.consumer.consume(logs('p', 2)).catch((e: unknown) => e);
    const e2 = await s.consumer.consume(logs('q', 3)).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ConsumerError);
    expect((e1 as ConsumerError).kind).toBe('permanent');
    expect((e2 as ConsumerError).kind).toBe('permanent');
    expect(calls).toBe(2);
    expect(m('telemd_exporter_send_failed_items_total')).toBe(5);
    const logged = set.lines.filter((l) => String(l.msg).startsWith('export refused permanently: dropping'));
    expect(logged.length).toBe(1);
    expect(logged[0]).toMatchObject({ error: '400 bad data', dropped_items: 2, sample: 'log severity 9, body 3 chars' });
    await s.shutdown();
  });

  it('gives up after max_elapsed_time, and with retry disabled after one attempt', async () => {
    let calls = 0;
    const { s, m, set } = await sender(async () => {
      calls++;
      throw new Error('down');
    }, {}, { initial_interval: '20ms', max_interval: '20ms', max_elapsed_time: '150ms', randomization_factor: 0 });
    const err = (await s.consumer.consume(logs('x', 4)).catch((e: unknown) => e)) as ConsumerError;
    expect(err.kind).toBe('retryable');
    expect(err.message).toMatch(/after \d+ attempt/);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(9);
    expect(m('telemd_exporter_send_failed_items_total')).toBe(4);
    // The producer keeps the data (retryable refusal): handed back, never "dropping".
    expect(m('telemd_exporter_handed_back_items_total', { reason: 'retries_exhausted' })).toBe(4);
    expect(m('telemd_exporter_dropped_items_total')).toBe(0);
    expect(set.lines.filter((l) => /dropping/.test(String(l.msg)))).toEqual([]);
    await s.shutdown();

    let once = 0;
    const off = await sender(async () => {
      once++;
      throw new Error('down');
    }, {}, { enabled: false });
    await expect(off.s.consumer.consume(logs('y'))).rejects.toThrow(/down/);
    expect(once).toBe(1);
    await off.s.shutdown();
  });

  it('aborts an attempt at the timeout, even when the push ignores its signal', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const { s, m } = await sender(async (_d, abort) => {
      signals.push(abort);
      if (++calls === 1) await new Promise(() => {}); // hangs forever
    }, {}, fastRetry, 100);
    const t0 = Date.now();
    await s.consumer.consume(logs('t'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(signals[0]!.aborted).toBe(true);
    expect(String(signals[0]!.reason)).toMatch(/timed out after 100ms/);
    expect(m('telemd_exporter_sent_items_total')).toBe(1);
    await s.shutdown();
  });

  it('when_full: block makes consume wait for space (backpressure), in order', async () => {
    const g = gate();
    const got: string[] = [];
    const { s, m } = await sender(async (d) => {
      await g.wait;
      got.push(...bodies(d));
    }, { num_consumers: 1, queue_size: 2 });
    const ps = ['a', 'b', 'c', 'd', 'e'].map((t) => s.consumer.consume(logs(t)));
    await state(ps[0]!);
    // a is being sent, b and c are queued, d and e wait for room.
    expect(m('telemd_exporter_queue_size')).toBe(2);
    expect(m('telemd_exporter_queue_capacity')).toBe(2);
    expect(await Promise.all(ps.map(state))).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    g.open();
    await Promise.all(ps);
    expect(got).toEqual(['a-0', 'b-0', 'c-0', 'd-0', 'e-0']);
    expect(m('telemd_exporter_dropped_items_total')).toBe(0);
    await s.shutdown();
  });

  it('when_full: drop_newest refuses the new batch (retryable) and counts it', async () => {
    const g = gate();
    const { s, m } = await sender(async () => g.wait, { num_consumers: 1, queue_size: 2, when_full: 'drop_newest' });
    const ps = ['a', 'b', 'c'].map((t) => s.consumer.consume(logs(t, 2)));
    await state(ps[0]!);
    const err = (await s.consumer.consume(logs('d', 5)).catch((e: unknown) => e)) as ConsumerError;
    expect(err.kind).toBe('retryable');
    expect(err.message).toMatch(/queue is full/);
    // Refused back to the producer, which keeps the data: handed back, never counted as dropped.
    expect(m('telemd_exporter_handed_back_items_total', { reason: 'queue_full' })).toBe(5);
    expect(m('telemd_exporter_dropped_items_total')).toBe(0);
    g.open();
    await Promise.all(ps);
    await s.shutdown();
  });

  it('when_full: drop_oldest evicts the oldest queued batch, whose consume is rejected', async () => {
    const g = gate();
    const got: string[] = [];
    const { s, m } = await sender(async (d) => {
      await g.wait;
      got.push(...bodies(d));
    }, { num_consumers: 1, queue_size: 2, when_full: 'drop_oldest' });
    const ps = ['a', 'b', 'c', 'd'].map((t) => s.consumer.consume(logs(t, 3)));
    const states = await Promise.all(ps.map(state));
    expect(states).toEqual(['pending', 'rejected', 'pending', 'pending']);
    expect(m('telemd_exporter_handed_back_items_total', { reason: 'queue_full' })).toBe(3);
    expect(m('telemd_exporter_dropped_items_total')).toBe(0);
    g.open();
    await Promise.allSettled(ps);
    expect(got.filter((b) => b.endsWith('-0'))).toEqual(['a-0', 'c-0', 'd-0']);
    await s.shutdown();
  });

  it('sizes the queue in items or bytes', async () => {
    const g = gate();
    const { s, m } = await sender(async () => g.wait, { num_consumers: 1, queue_size: 10, sizer: 'items', when_full: 'drop_newest' });
    const ps = [s.consumer.consume(logs('a', 1)), s.consumer.consume(logs('b', 6)), s.consumer.consume(logs('c', 4))];
    await state(ps[0]!);
    expect(m('telemd_exporter_queue_size')).toBe(10);
    await expect(s.consumer.consume(logs('d', 1))).rejects.toThrow(/full/);
    g.open();
    await Promise.all(ps);
    await s.shutdown();

    const g2 = gate();
    const b = await sender(async () => g2.wait, { num_consumers: 1, queue_size: 4096, sizer: 'bytes', when_full: 'drop_newest' });
    const first = b.s.consumer.consume(logs('x', 1));
    await state(first);
    const small = b.s.consumer.consume(logs('y', 2));
    await state(small);
    expect(b.m('telemd_exporter_queue_size')).toBeGreaterThan(100);
    await expect(b.s.consumer.consume(logs('z', 200))).rejects.toThrow(/full/);
    g2.open();
    await Promise.all([first, small]);
    await b.s.shutdown();
  });

  it('shutdown drains the queue within the time given', async () => {
    const got: string[] = [];
    const { s } = await sender(async (d) => {
      await new Promise((r) => setTimeout(r, 20));
      got.push(...bodies(d));
    }, { num_consumers: 2 });
    const ps = Array.from({ length: 20 }, (_, i) => s.consumer.consume(logs(`s${i}`)));
    await s.shutdown(5000);
    await Promise.all(ps);
    expect(got.length).toBe(20);
    await expect(s.consumer.consume(logs('late'))).rejects.toThrow(/shutting down/);
  });

  it('at the shutdown timeout, aborts and hands back what is left (retryable, not counted as dropped)', async () => {
    const { s, m } = await sender(async (_d, abort) => new Promise<void>((_, rej) => abort.addEventListener('abort', () => rej(abort.reason))), { num_consumers: 1 });
    const ps = Array.from({ length: 4 }, (_, i) => s.consumer.consume(logs(`k${i}`, 2)));
    const t0 = Date.now();
    await s.shutdown(200);
    expect(Date.now() - t0).toBeLessThan(1500);
    const res = await Promise.allSettled(ps);
    expect(res.every((r) => r.status === 'rejected' && (r.reason as ConsumerError).kind === 'retryable')).toBe(true);
    expect(m('telemd_exporter_handed_back_items_total', { reason: 'shutdown' })).toBe(8);
    expect(m('telemd_exporter_dropped_items_total')).toBe(0);
  });

  it('without a queue, consume is the delivery itself', async () => {
    const g = gate();
    let n = 0;
    const { s } = await sender(async (d) => {
      await g.wait;
      n += bodies(d).length;
    }, { enabled: false });
    const p = s.consumer.consume(logs('n', 2));
    expect(await state(p)).toBe('pending');
    g.open();
    await p;
    expect(n).toBe(2);
    await s.shutdown();
  });

  it('runs num_consumers sends in parallel', async () => {
    let now = 0;
    let peak = 0;
    const { s } = await sender(async () => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 30));
      now--;
    }, { num_consumers: 4 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => s.consumer.consume(logs(`p${i}`))));
    expect(peak).toBe(4);
    await s.shutdown();
  });

  it('maps the Collector keys block_on_overflow / blocking onto when_full', async () => {
    const g = gate();
    const { s } = await sender(async () => g.wait, { num_consumers: 1, queue_size: 1, block_on_overflow: false });
    const a = s.consumer.consume(logs('a'));
    const b = s.consumer.consume(logs('b'));
    await state(a);
    await expect(s.consumer.consume(logs('c'))).rejects.toThrow(/full/);
    g.open();
    await Promise.all([a, b]);
    await s.shutdown();
    const g2 = gate();
    const blk = await sender(async () => g2.wait, { num_consumers: 1, queue_size: 1, when_full: 'drop_newest', blocking: true, wait_for_result: true });
    const ps = ['a', 'b', 'c'].map((t) => blk.s.consumer.consume(logs(t)));
    expect(await state(ps[2]!)).toBe('pending');
    g2.open();
    await Promise.all(ps);
    await blk.s.shutdown();
  });
});
