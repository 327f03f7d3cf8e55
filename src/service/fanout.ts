import { asConsumerError, mergeRefusals, type Consumer } from '../component/consumer.js';

/**
 * Hands a batch to several consumers. The acknowledgement settles when every consumer settled:
 * it resolves if all accepted, otherwise rejects (retryable if any refusal was retryable, since
 * a retry may then succeed; duplicates at consumers that accepted are the price of
 * at-least-once).
 *
 * `mutates` says which consumers change the batch they are given (one flag for all, or one per
 * consumer), as the Collector's fan-out does with MutatesData: consumers that only read share
 * the original; each consumer that mutates gets its own copy, except that when none only reads,
 * the last one that mutates takes the original. Consumers run concurrently here (a read-only
 * one may hold the batch in a queue while a mutating one works), so a mutating consumer never
 * shares the original with a reader.
 */
export function fanout<T>(consumers: Consumer<T>[], mutates: boolean | readonly boolean[]): Consumer<T> {
  if (consumers.length === 1) return consumers[0]!;
  const flags = consumers.map((_, i) => (typeof mutates === 'boolean' ? mutates : (mutates[i] ?? true)));
  const anyReader = flags.some((m) => !m);
  const lastMutator = flags.lastIndexOf(true);
  const copies = flags.map((m, i) => m && (anyReader || i !== lastMutator));
  return {
    async consume(data: T): Promise<void> {
      const results = await Promise.allSettled(consumers.map((c, i) => c.consume(copies[i] ? structuredClone(data) : data)));
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [asConsumerError(r.reason)] : []));
      if (errors.length === 0) return;
      throw mergeRefusals(errors);
    },
  };
}
