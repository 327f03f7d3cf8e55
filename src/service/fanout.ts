import { ConsumerError, asConsumerError, type Consumer } from '../component/consumer.js';

/**
 * Hands a batch to several consumers. The acknowledgement settles when every consumer settled:
 * it resolves if all accepted, otherwise rejects (retryable if any refusal was retryable, since
 * a retry may then succeed; duplicates at consumers that accepted are the price of
 * at-least-once). `cloneForAll`: the consumers may mutate (pipeline heads), so all but the last
 * get their own copy.
 */
export function fanout<T>(consumers: Consumer<T>[], cloneForAll: boolean): Consumer<T> {
  if (consumers.length === 1) return consumers[0]!;
  return {
    async consume(data: T): Promise<void> {
      const results = await Promise.allSettled(
        consumers.map((c, i) => c.consume(cloneForAll && i < consumers.length - 1 ? structuredClone(data) : data)),
      );
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [asConsumerError(r.reason)] : []));
      if (errors.length === 0) return;
      const retryable = errors.find((e) => e.kind === 'retryable');
      const first = retryable ?? errors[0]!;
      throw new ConsumerError(first.kind, errors.map((e) => e.message).join('; '), {
        cause: first,
        retryAfterMs: retryable?.retryAfterMs,
        rejectedItems: retryable ? undefined : maxRejected(errors),
      });
    },
  };
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
