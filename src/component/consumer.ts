import type { Signal, SignalData } from '../pdata/types.js';

/**
 * A pipeline stage. `consume` hands a batch downstream and returns the delivery
 * acknowledgement: the promise resolves once the batch is durably accepted downstream
 * (written to a persistent queue, or delivered by every exporter it fans out to) and rejects
 * with a ConsumerError when it was refused. Receivers await it to apply backpressure and to
 * advance checkpoints only for data that is safe.
 *
 * Ownership: a consumer that changes the batch it is given declares it
 * (`capabilities.mutatesData`, see component.ts); fan-out then gives it its own copy whenever
 * others share the batch. Consumers that only read share one batch, so they must not change it.
 */
export interface Consumer<T> {
  consume(data: T): Promise<void>;
}

export type MetricsConsumer = Consumer<SignalData['metrics']>;
export type LogsConsumer = Consumer<SignalData['logs']>;
export type TracesConsumer = Consumer<SignalData['traces']>;

/** One consumer per signal; a receiver gets the ones of the pipelines that use it. */
export type SignalConsumers = { [S in Signal]?: Consumer<SignalData[S]> };

export type Refusal = 'retryable' | 'permanent';

/**
 * Why a batch was refused. `retryable`: try the same data again later (queue full, memory
 * limit, backend down); `permanent`: the data itself is unacceptable and must not be retried.
 */
export class ConsumerError extends Error {
  readonly kind: Refusal;
  /** Items of the batch this refusal concerns (for partial refusals), if known. */
  readonly rejectedItems?: number;
  /** A hint for clients (e.g. HTTP Retry-After) in milliseconds. */
  readonly retryAfterMs?: number;

  constructor(
    kind: Refusal,
    message: string,
    opts: { cause?: unknown; rejectedItems?: number; retryAfterMs?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ConsumerError';
    this.kind = kind;
    this.rejectedItems = opts.rejectedItems;
    this.retryAfterMs = opts.retryAfterMs;
  }

  static retryable(message: string, opts?: { cause?: unknown; retryAfterMs?: number }): ConsumerError {
    return new ConsumerError('retryable', message, opts);
  }

  static permanent(message: string, opts?: { cause?: unknown; rejectedItems?: number }): ConsumerError {
    return new ConsumerError('permanent', message, opts);
  }
}

/** Unknown errors are treated as retryable: losing data is worse than sending it twice. */
export function isPermanent(err: unknown): boolean {
  return err instanceof ConsumerError && err.kind === 'permanent';
}

export function asConsumerError(err: unknown): ConsumerError {
  if (err instanceof ConsumerError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return ConsumerError.retryable(msg, { cause: err });
}

/** A consumer from a function (handy in tests and small processors). */
export function consumerOf<T>(fn: (data: T) => Promise<void> | void): Consumer<T> {
  return { consume: async (d: T) => fn(d) };
}

/** One refusal for several branches: retryable if any was (the whole batch comes back). */
export function mergeRefusals(errors: ConsumerError[]): ConsumerError {
  if (errors.length === 1) return errors[0]!;
  const retryable = errors.find((e) => e.kind === 'retryable');
  const first = retryable ?? errors[0]!;
  return new ConsumerError(first.kind, errors.map((e) => e.message).join('; '), {
    cause: first,
    retryAfterMs: retryable?.retryAfterMs,
    rejectedItems: retryable ? undefined : maxRejected(errors),
  });
}

/**
 * Items refused permanently across branches, so an OTLP partial success survives fan-out. The
 * max is a lower bound (branches may refuse different items); unknown in any branch = unknown.
 */
function maxRejected(errors: ConsumerError[]): number | undefined {
  let max = 0;
  for (const e of errors) {
    if (e.rejectedItems === undefined) return undefined;
    max = Math.max(max, e.rejectedItems);
  }
  return max;
}
