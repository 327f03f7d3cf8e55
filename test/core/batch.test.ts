import { describe, expect, it } from 'vitest';
import { ConsumerError, type Consumer } from '../../src/component/consumer.js';
import { countLogRecords } from '../../src/pdata/count.js';
import type { LogsData } from '../../src/pdata/types.js';
import { BatchProcessor } from '../../processors/batch/batcher.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { fanout } from '../../src/service/fanout.js';
import { testSettings } from '../helpers/settings.js';

const set = testSettings('batch', 'processor');
const metricOf = (reg: MetricRegistry, trigger: string) =>
  Number(new RegExp(`telemd_processor_batch_sent_total\\{[^}]*trigger="${trigger}"[^}]*\\} (\\d+)`).exec(reg.renderPrometheus())?.[1] ?? 0);

function logs(n: number, tag = 'x'): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: { tag } },
        scopeLogs: [
          {
            scope: { name: 's' },
            logRecords: Array.from({ length: n }, (_, i) => ({
              timeUnixNano: 0n,
              observedTimeUnixNano: 0n,
              severityNumber: 9,
              body: `${tag}-${i}`,
              attributes: {},
            })),
          },
        ],
      },
    ],
  };
}

function recorder(behaviour: (batch: LogsData, i: number) => Promise<void> = async () => {}) {
  const got: LogsData[] = [];
  const c: Consumer<LogsData> = {
    consume: (d) => {
      got.push(d);
      return behaviour(d, got.length - 1);
    },
  };
  return { got, c };
}

const cfg = { send_batch_size: 10, timeout: 50, send_batch_max_size: 0, metadata_keys: [], metadata_cardinality_limit: 0 };

describe('batch processor', () => {
  it('merges small inputs and sends on timeout; acks settle after delivery', async () => {
    const gate: { open?: () => void } = {};
    const { got, c } = recorder(() => new Promise<void>((r) => (gate.open = r)));
    const b = new BatchProcessor(set, cfg, 'logs', c);
    let acked = 0;
    const p1 = b.consume(logs(3, 'a')).then(() => acked++);
    const p2 = b.consume(logs(4, 'b')).then(() => acked++);
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(1);
    expect(countLogRecords(got[0]!)).toBe(7);
    expect(acked).toBe(0); // not delivered yet
    gate.open!();
    await Promise.all([p1, p2]);
    expect(acked).toBe(2);
  });

  it('sends at send_batch_size and splits at send_batch_max_size', async () => {
    const { got, c } = recorder();
    const b = new BatchProcessor(set, { ...cfg, send_batch_size: 10, send_batch_max_size: 10 }, 'logs', c);
    await b.consume(logs(25));
    // 25 items: two full batches of 10 at once; the last 5 wait for the timeout.
    expect(got.map(countLogRecords)).toEqual([10, 10, 5]);
    const bodies = got.flatMap((d) => d.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords.map((l) => l.body))));
    expect(bodies).toEqual(Array.from({ length: 25 }, (_, i) => `x-${i}`));
  });

  it('refuses every input of a batch the next stage refused, keeping the kind', async () => {
    const { c } = recorder(async () => {
      throw ConsumerError.retryable('backend down');
    });
    const b = new BatchProcessor(set, cfg, 'logs', c);
    const results = await Promise.allSettled([b.consume(logs(2)), b.consume(logs(2))]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConsumerError);
      expect(((r as PromiseRejectedResult).reason as ConsumerError).kind).toBe('retryable');
    }
  });

  it('does not hold data while the next stage is idle: sends at once, gathers only while a batch is in flight', async () => {
    const gates: (() => void)[] = [];
    const { got, c } = recorder(() => new Promise<void>((r) => gates.push(r)));
    // Collector defaults would hold each input up to 200 ms (or 8192 items); idle, it goes now.
    const b = new BatchProcessor(set, { ...cfg, send_batch_size: 8192, timeout: 60_000 }, 'logs', c);
    const p1 = b.consume(logs(3, 'a'));
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map(countLogRecords)).toEqual([3]);
    // While that one is in flight, inputs gather...
    const p2 = b.consume(logs(4, 'b'));
    const p3 = b.consume(logs(5, 'c'));
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(1);
    // ...and go together as soon as the next stage is idle again.
    gates.shift()!();
    await p1;
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map(countLogRecords)).toEqual([3, 9]);
    gates.shift()!();
    await Promise.all([p2, p3]);
    expect(metricOf(set.registry, 'idle')).toBeGreaterThanOrEqual(2);
  });

  it('flushes what it holds on shutdown', async () => {
    const { got, c } = recorder();
    const b = new BatchProcessor(set, { ...cfg, timeout: 60_000 }, 'logs', c);
    const p = b.consume(logs(3));
    await b.shutdown();
    await p;
    expect(got.map(countLogRecords)).toEqual([3]);
  });
});

describe('fanout', () => {
  it('delivers to a healthy consumer while another hangs, and acks only when both settle', async () => {
    let release!: () => void;
    const slow: Consumer<LogsData> = { consume: () => new Promise<void>((r) => (release = r)) };
    const fast = recorder();
    const f = fanout([slow, fast.c], true);
    let done = false;
    const p = f.consume(logs(1)).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fast.got).toHaveLength(1);
    expect(done).toBe(false);
    release();
    await p;
    expect(done).toBe(true);
  });

  it('gives each mutating consumer its own copy', async () => {
    const seen: LogsData[] = [];
    const mut: Consumer<LogsData> = {
      consume: async (d) => {
        d.resourceLogs[0]!.resource.attributes.touched = true;
        seen.push(d);
      },
    };
    await fanout([mut, mut], true).consume(logs(1));
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('is retryable when any consumer refused retryably', async () => {
    const perm: Consumer<LogsData> = { consume: async () => { throw ConsumerError.permanent('bad'); } };
    const retry: Consumer<LogsData> = { consume: async () => { throw ConsumerError.retryable('later'); } };
    await expect(fanout([perm, retry], false).consume(logs(1))).rejects.toMatchObject({ kind: 'retryable' });
    await expect(fanout([perm, recorder().c], false).consume(logs(1))).rejects.toMatchObject({ kind: 'permanent' });
  });
});

describe('DeliveryWatch', () => {
  it('reports an exporter that keeps retrying without delivering for longer than the window', async () => {
    const { DeliveryWatch } = await import('../../src/service/status.js');
    const reg = new MetricRegistry();
    const t = new SelfTelemetry(reg, { exporter: 'otlp' });
    const sent = t.counter('telemd_exporter_sent_items_total', 'x', { signal: 'logs' });
    const retries = t.counter('telemd_exporter_retries_total', 'x', { signal: 'logs' });
    const w = new DeliveryWatch(reg, 60_000);
    sent.add(10);
    w.sample(0);
    retries.add(1);
    expect(w.stalled(30_000)).toEqual([]);
    expect(w.stalled(61_000)).toHaveLength(1); // last delivery 61 s ago, still retrying
    sent.add(1);
    expect(w.stalled(91_000)).toEqual([]);
  });
});
