import { setMaxListeners } from 'node:events';
import { asConsumerError, ConsumerError } from '../component/consumer.js';
import type { Host } from '../component/component.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { QueuedSender, QueuedSenderOptions } from './api.js';
import { sleep } from './backoff.js';
import { Batch } from './batch.js';
import { protoCodec } from './codec.js';
import { effectiveBatch, effectiveWhenFull, type QueueBatchConfig } from './config.js';
import { MemoryQueue } from './memory-queue.js';
import { decide, OutcomeReporter } from './outcome.js';
import { PersistentQueue } from './persistent-queue.js';
import type { Lease, SendQueue } from './queue.js';
import { BatchSizer, splitPush } from './queue-batch.js';
import { RetryingSender, type SendResult } from './send.js';

/** Build the sending side of an exporter: queue, workers, retries and self-metrics. */
export function createQueuedSender<S extends Signal>(opts: QueuedSenderOptions<S>): QueuedSender<S> {
  return new Sender(opts);
}

class Sender<S extends Signal> implements QueuedSender<S> {
  readonly consumer = { consume: (data: SignalData[S]) => this.consume(data) };
  private readonly sender: RetryingSender<S>;
  private readonly outcomes: OutcomeReporter;
  private readonly stopAc = new AbortController();
  private queue?: SendQueue<S>;
  private workers: Promise<void>[] = [];
  private direct = new Set<Promise<unknown>>();
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  /** Exports in flight from the queue's workers; a worker holding requests to join waits while it is > 0. */
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly sizer: BatchSizer<S>;
  private readonly batching: QueueBatchConfig;

  constructor(private readonly opts: QueuedSenderOptions<S>) {
    // Every attempt in flight listens on the stop signal.
    setMaxListeners(0, this.stopAc.signal);
    const t = opts.set.telemetry;
    const labels = { signal: opts.signal };
    this.outcomes = new OutcomeReporter(opts.set, opts.signal);
    this.batching = effectiveBatch(opts.queue);
    this.sizer = new BatchSizer(opts.signal, this.batching, opts.codec ?? protoCodec);
    // Requests over batch.max_size are sent in parts (when their records can be read back).
    const push = this.sizer.maxSize > 0 && this.batching.sizer === 'items' ? splitPush(opts.push, this.sizer.maxSize) : opts.push;
    this.sender = new RetryingSender(
      opts.signal,
      push,
      opts.retry,
      opts.timeoutMs,
      opts.set.logger,
      {
        sent: t.counter('telemd_exporter_sent_items_total', 'Items delivered by the exporter', labels),
        failed: t.counter('telemd_exporter_send_failed_items_total', 'Items whose export failed: refused by the backend, or out of retries (see dropped / handed_back for what became of them)', labels),
        retries: t.counter('telemd_exporter_retries_total', 'Failed export attempts that were retried', labels),
      },
      opts.random,
    );
  }

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
          corrupt: (reason) =>
            set.telemetry.counter('telemd_exporter_queue_corrupt_records_total', 'Damaged records skipped in the persistent queue', { signal, reason }),
          syncs: set.telemetry.counter('telemd_exporter_queue_disk_syncs_total', 'Group commits (write + fdatasync) of the persistent queue', { signal }),
          readErrors: set.telemetry.counter('telemd_exporter_queue_read_errors_total', 'Failed reads of persistent queue records (kept and read again)', { signal }),
        }, this.outcomes, { segmentBytes: this.opts.segmentBytes, hotCacheBytes: this.opts.hotCacheBytes, encoding: this.opts.encoding });
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
              : (b: Batch<S>) => b.byteLength ?? codec.encode(signal, b.data).byteLength;
        this.queue = new MemoryQueue<S>(q, sizer, this.outcomes);
      }
      const queue = this.queue;
      set.telemetry.observe('telemd_exporter_queue_size', `Batches in the sending queue (in units of sizer: ${q.sizer})`, { signal }, () => queue.size());
      set.telemetry.observe('telemd_exporter_queue_capacity', 'Capacity of the sending queue (queue_size)', { signal }, () => queue.capacity());
      for (let i = 0; i < q.num_consumers; i++) this.workers.push(this.work(queue));
    }
    this.state = 'running';
  }

  private async work(queue: SendQueue<S>): Promise<void> {
    let carry: Lease<S> | undefined;
    for (;;) {
      const first = carry ?? (await queue.take());
      if (!first) return;
      let group: Lease<S>[];
      ({ group, carry } = await this.gather(queue, first));
      this.inflight++;
      try {
        await this.sendGroup(group);
      } finally {
        if (--this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
      }
    }
  }

  /**
   * Queue batching: requests queued behind `first` join it up to batch.min_size. Held only
   * while another export is in flight, at most flush_timeout: with the backend idle a worker
   * sends what it has at once. A request that does not fit (max_size, another format) is
   * carried over as the start of the next export.
   */
  private async gather(queue: SendQueue<S>, first: Lease<S>): Promise<{ group: Lease<S>[]; carry?: Lease<S> }> {
    const group = [first];
    const min = this.sizer.minSize;
    if (min === 0) return { group };
    let size = this.sizer.units(first.batch);
    let bytes = first.batch.byteLength ?? 0;
    const deadline = Date.now() + this.batching.flush_timeout;
    for (;;) {
      while (size < min) {
        const next = await queue.poll();
        if (!next) break;
        const n = this.sizer.units(next.batch);
        const b = bytes + (next.batch.byteLength ?? 0);
        if (!this.sizer.fits(size + n) || !this.sizer.joinable(first.batch, next.batch, b)) return { group, carry: next };
        group.push(next);
        size += n;
        bytes = b;
      }
      if (size >= min || this.inflight === 0 || this.state !== 'running') return { group };
      const rest = deadline - Date.now();
      if (rest <= 0) return { group };
      const wake = new AbortController();
      await Promise.race([queue.arrival(), this.idle(), sleep(rest, wake.signal)]);
      wake.abort();
    }
  }

  private idle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** One export for the group; every request in it is settled with the outcome. */
  private async sendGroup(group: Lease<S>[]): Promise<void> {
    const merged = Batch.merge(group.map((l) => l.batch));
    if (!merged) {
      // Could not be joined after all (the exporter declined): one export each.
      for (const l of group) await this.sendGroup([l]);
      return;
    }
    // Only drop_oldest cancels a request; a joined export goes on for the others in it.
    const c = group.length === 1 ? group[0]!.cancelled : undefined;
    const stop = c ? AbortSignal.any([this.stopAc.signal, c]) : this.stopAc.signal;
    let r: SendResult;
    try {
      r = await this.sender.send(merged, stop);
    } catch (err) {
      // A bug must not silently stop a worker (the queue would stall): fail this batch, go on.
      this.opts.set.logger.error({ error: (err as Error).message }, 'sending queue worker error');
      r = { kind: 'exhausted', error: asConsumerError(err), items: merged.items, batch: merged };
    }
    const o = decide(r, this.queue!.durable);
    if (r.kind !== 'delivered') this.outcomes.report(o, r.items, r.batch);
    for (const l of group) l.settle(o);
  }

  private consume(data: SignalData[S]): Promise<void> {
    if (this.state !== 'running') return this.offer(Batch.of(this.opts.signal, data));
    const { signal, encoding } = this.opts;
    // Encoded now, so the records can go; a queue that stores its own encoding gets records,
    // unless the exporter's bytes are in a codec it stores as they are.
    const q = this.queue;
    const pre = encoding && (!q?.ownEncoding || encoding.codecId !== undefined);
    return this.offer(pre ? Batch.encoded(signal, data, encoding) : Batch.of(signal, data));
  }

  /** A batch the exporter prepared itself (remote-write encodes its requests on arrival). */
  async offer(batch: Batch<S>): Promise<void> {
    if (this.state !== 'running')
      throw ConsumerError.retryable(this.state === 'new' ? 'exporter not started' : 'exporter is shutting down');
    if (this.queue) return this.queue.offer(batch);
    // No queue: send in the caller's time; the acknowledgement is the delivery.
    const p = this.sender.send(batch, this.stopAc.signal);
    this.direct.add(p);
    const r = await p.finally(() => this.direct.delete(p));
    const o = decide(r, false);
    if (o.kind === 'delivered') return;
    this.outcomes.report(o, r.kind === 'delivered' ? 0 : r.items, batch);
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
      const grace = q.durable ? sleep(Math.min(timeoutMs, 2000), deadline.signal) : timer;
      await Promise.race([done, grace]);
      const left = q.size();
      // Workers return at once: attempts race the abort, backoff waits end on it.
      this.stopAc.abort();
      await done;
      await q.stop();
      if (left > 0 && !q.durable)
        this.opts.set.logger.warn(
          { signal: this.opts.signal, left, timeout_ms: timeoutMs },
          'sending queue not drained before the shutdown timeout; the rest was handed back to its senders (retryable)',
        );
    } else if (wasRunning) {
      await Promise.race([Promise.all(this.direct), timer]);
      this.stopAc.abort();
      await Promise.allSettled(this.direct);
    }
    deadline.abort();
    this.state = 'stopped';
  }
}
