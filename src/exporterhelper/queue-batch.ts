// Queue-side batching (`sending_queue.batch`): how big a queued request is, which requests can
// be joined into one export, and sending a request over max_size in parts.
import { countItems } from '../pdata/count.js';
import { splitItems } from '../pdata/split.js';
import type { Signal } from '../pdata/types.js';
import type { PushFn } from './api.js';
import { Batch } from './batch.js';
import type { Codec } from './codec.js';
import type { QueueBatchConfig } from './config.js';
import { PartialDelivery } from './send.js';

export class BatchSizer<S extends Signal> {
  readonly minSize: number;
  readonly maxSize: number;

  constructor(
    private readonly signal: S,
    private readonly cfg: QueueBatchConfig,
    private readonly codec: Codec,
  ) {
    this.minSize = cfg.min_size;
    this.maxSize = cfg.max_size;
  }

  /** Size of a request in units of batch.sizer. */
  units(b: Batch<S>): number {
    if (this.cfg.sizer === 'requests') return 1;
    if (this.cfg.sizer === 'items') return b.items;
    return b.byteLength ?? this.codec.encode(this.signal, b.data).byteLength;
  }

  fits(size: number): boolean {
    return this.maxSize === 0 || size <= this.maxSize;
  }

  /** `b` can join an export that starts with `a` (same form and format; `bytes` is the joined request's size). */
  joinable(a: Batch<S>, b: Batch<S>, bytes: number): boolean {
    if ((a.bytes === undefined) !== (b.bytes === undefined) || a.codecId !== b.codecId) return false;
    return a.bytes === undefined || a.joinable(bytes);
  }
}

/**
 * A push that sends a request of more than `max` items in parts of `max` (when its records can
 * be read back): a failure after some parts throws PartialDelivery, so a retry sends only the rest.
 */
export function splitPush<S extends Signal>(push: PushFn<S>, max: number): PushFn<S> {
  return async (batch, abort) => {
    if (batch.items <= max || !batch.decodable) return push(batch, abort);
    const parts: Batch<S>[] = [];
    let rest = batch.data;
    for (;;) {
      const [head, tail] = splitItems(batch.signal, rest, max);
      parts.push(Batch.of(batch.signal, head));
      if (countItems(batch.signal, tail) === 0) break;
      rest = tail;
    }
    let delivered = 0;
    for (let i = 0; i < parts.length; i++) {
      try {
        await push(parts[i]!, abort);
      } catch (err) {
        const left = parts.slice(i + 1);
        if (err instanceof PartialDelivery) {
          delivered += err.delivered;
          left.unshift(err.rest as Batch<S>);
          throw new PartialDelivery(delivered, Batch.merge(left)!, err.cause);
        }
        if (delivered === 0) throw err;
        throw new PartialDelivery(delivered, Batch.merge([parts[i]!, ...left])!, err);
      }
      delivered += parts[i]!.items;
    }
  };
}
