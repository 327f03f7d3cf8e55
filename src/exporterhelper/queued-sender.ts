import { asConsumerError, ConsumerError } from '../component/consumer.js';
import type { Host } from '../component/component.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { Counter } from '../telemetry/self.js';
import type { QueuedSender, QueuedSenderOptions } from './api.js';
import { sleep } from './backoff.js';
import { protoCodec } from './codec.js';
import { setMaxListeners } from 'node:events';
import { Batch } from './batch.js';
import { MemoryQueue } from './memory-queue.js';
import { PersistentQueue } from './persistent-queue.js';
import type { SendQueue } from './queue.js';
import { RetryingSender, type Outcome } from './send.js';
import { effectiveWhenFull } from './config.js';

/** Build the sending side of an exporter: queue, workers, retries and self-metrics. */
export function createQueuedSender<S extends Signal>(opts: QueuedSenderOptions<S>): QueuedSender<S> {
  return new Sender(opts);
}

class Sender<S extends Signal> implements QueuedSender<S> {
  readonly consumer = { consume: (data: SignalData[S]) => this.consume(data) };
  private readonly sender: RetryingSender<S>;
  private readonly stopAc = new AbortController();
  private queue?: SendQueue<S>;
  private workers: Promise<void>[] = [];
  private direct = new Set<Promise<unknown>>();
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private readonly dropped = new Map<string, Counter>();

  constructor(private readonly opts: QueuedSenderOptions<S>) {
    // Every attempt in flight listens on the stop signal.
    setMaxListeners(0, this.stopAc.signal);
    const t = opts.set.telemetry;
    const labels = { signal: opts.signal };
    this.sender = new RetryingSender(
      opts.signal,
      opts.push,
      opts.retry,
      opts.timeoutMs,
      opts.set.logger,
      {
        sent: t.counter('telemd_exporter_sent_items_total', 'Items delivered by the exporter', labels),
        failed: t.counter('telemd_exporter_send_failed_items_total', 'Items the exporter failed to deliver (refused permanently or out of retries)', labels),
        retries: t.counter('telemd_exporter_retries_total', 'Failed export attempts that were retried', labels),
      },
      opts.random,
    );
  }

  private droppedCounter = (reason: string): Counter => {
    let c = this.dropped.get(reason);
    if (!c) {
      c = this.opts.set.telemetry.counter('telemd_exporter_dropped_items_total', 'Items the exporter dropped without trying to send them', {
        signal: this.opts.signal,
        reason,
      });
      this.dropped.set(reason, c);
    }
    return c;
  };

  async start(host: Host): Promise<void> {
    const { set, signal } = this.opts;
    const q = { ...this.opts.queue, when_full: effectiveWhenFull(this.opts.queue) };
    if (q.enabled) {
      const codec = this.opts.codec ?? protoCodec;
      if (q.storage) {
        const client = await host.getStorage(q.storage, set.id, signal).catch((err: unknown) => {
          throw new Error(`sending_queue.storage: cannot use ${q.storage}: ${(err as Error).message}`);
        });
        const pq = new PersistentQueue<S>(signal, q, client, codec, set.logger, {
          dropped: this.droppedCounter,
          corrupt: (reason) =>
            set.telemetry.counter('telemd_exporter_queue_corrupt_records_total', 'Damaged records skipped in the persistent queue', { signal, reason }),
          syncs: set.telemetry.counter('telemd_exporter_queue_disk_syncs_total', 'Group commits (write + fdatasync) of the persistent queue', { signal }),
          readErrors: set.telemetry.counter('telemd_exporter_queue_read_errors_total', 'Failed reads of persistent queue records (kept and read again)', { signal }),
        }, { segmentBytes: this.opts.segmentBytes, hotCacheBytes: this.opts.hotCacheBytes });
        await pq.start();
        set.telemetry.observe('telemd_exporter_queue_disk_bytes', 'Bytes of the persistent queue on disk', { signal }, () => pq.diskUsage());
        set.telemetry.observe('telemd_exporter_queue_disk_capacity_bytes', 'max_disk_size of the persistent queue', { signal }, () => q.max_disk_size);
        this.queue = pq;
      } else {
        const sizer =
          q.sizer === 'requests'
            ? () => 1
            : q.sizer === 'items'
              ? (b: Batch<S>) => b.items
              : (b: Batch<S>) => (b.bytes ?? codec.encode(signal, b.data)).byteLength;
        this.queue = new MemoryQueue<S>(signal, q, sizer, this.droppedCounter);
      }
      const queue = this.queue;
      set.telemetry.observe('telemd_exporter_queue_size', `Batches in the sending queue (in units of sizer: ${q.sizer})`, { signal }, () => queue.size());
      set.telemetry.observe('telemd_exporter_queue_capacity', 'Capacity of the sending queue (queue_size)', { signal }, () => queue.capacity());
      for (let i = 0; i < q.num_consumers; i++) this.workers.push(this.work(queue));
    }
    this.state = 'running';
  }

  private async work(queue: SendQueue<S>): Promise<void> {
    for (;;) {
      const lease = await queue.take();
      if (!lease) return;
      const stop = lease.cancelled ? AbortSignal.any([this.stopAc.signal, lease.cancelled]) : this.stopAc.signal;
      let outcome: Outcome;
      try {
        outcome = await this.sender.send(lease.batch, stop);
      } catch (err) {
        // A bug must not silently stop a worker (the queue would stall): fail this batch, go on.
        this.opts.set.logger.error({ error: (err as Error).message }, 'sending queue worker error');
        outcome = { kind: 'failed', error: asConsumerError(err) };
      }
      lease.settle(outcome);
    }
  }

  private async consume(data: SignalData[S]): Promise<void> {
    if (this.state !== 'running')
      throw ConsumerError.retryable(this.state === 'new' ? 'exporter not started' : 'exporter is shutting down');
    const { signal, encoding } = this.opts;
    // Encoded now, so the records can go; a persistent queue stores its own encoding instead.
    const batch = encoding && !(this.queue instanceof PersistentQueue) ? Batch.encoded(signal, data, encoding) : Batch.of(signal, data);
    if (this.queue) return this.queue.offer(batch);
    // No queue: send in the caller's time; the acknowledgement is the delivery.
    const p = this.sender.send(batch, this.stopAc.signal);
    this.direct.add(p);
    const o = await p.finally(() => this.direct.delete(p));
    if (o.kind === 'delivered') return;
    if (o.kind === 'aborted') this.droppedCounter('shutdown').add(batch.items);
    throw o.error;
  }

  async shutdown(timeoutMs = this.opts.shutdownTimeoutMs ?? 10_000): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    const deadline = new AbortController();
    const timer = sleep(timeoutMs, deadline.signal);
    const q = this.queue;
    if (q) {
      q.close();
      // Memory: workers drain the queue. Persistent: they may finish the batch in hand (what is
      // not finished stays on disk), so a backoff wait does not hold up the exit.
      const done = Promise.all(this.workers);
      const grace = q instanceof PersistentQueue ? sleep(Math.min(timeoutMs, 2000), deadline.signal) : timer;
      await Promise.race([done, grace]);
      const left = q.size();
      // Workers return at once: attempts race the abort, backoff waits end on it.
      this.stopAc.abort();
      await done;
      await q.stop();
      if (left > 0 && !(q instanceof PersistentQueue))
        this.opts.set.logger.warn({ signal: this.opts.signal, left, timeout_ms: timeoutMs }, 'sending queue not drained before the shutdown timeout; the rest was refused');
    } else if (wasRunning) {
      await Promise.race([Promise.all(this.direct), timer]);
      this.stopAc.abort();
      await Promise.allSettled(this.direct);
    }
    deadline.abort();
    this.state = 'stopped';
  }
}
