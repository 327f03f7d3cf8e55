import { ConsumerError } from './consumer.js';

/**
 * How handing a batch on ended. One type for the whole agent (exporter queues, receivers'
 * answers), so a refusal is named the same everywhere:
 * - `delivered`: accepted downstream (stored durably, or sent and acknowledged);
 * - `handed_back`: refused as retryable. The data goes back to whoever sent it, who still has
 *   it and sends it again (a file tail rewinds, an OTLP client gets 503): nothing is lost, so it
 *   is never counted as dropped nor logged as "dropping";
 * - `dropped`: given up on for good (refused permanently, or out of retries after a durable
 *   queue acknowledged it): counted with its reason and logged once with it.
 */
export type Outcome = Delivered | HandedBack | Dropped;
/** `partial`: part of it was refused for good by the next stage (OTLP partial success). */
export type Delivered = { kind: 'delivered'; partial?: { rejected: number; errorMessage: string } };
export type HandedBack = { kind: 'handed_back'; reason: string; error: ConsumerError };
export type Dropped = { kind: 'dropped'; reason: string; error: ConsumerError };

export const delivered: Delivered = { kind: 'delivered' };

export function handedBack(reason: string, error: ConsumerError): HandedBack {
  return { kind: 'handed_back', reason, error };
}

export function dropped(reason: string, error: ConsumerError): Dropped {
  return { kind: 'dropped', reason, error };
}

/**
 * The outcome of a `consume()` that rejected with `err`: retryable = handed back, permanent =
 * dropped (`refused`). Unknown errors are retryable (losing data is worse than a duplicate).
 */
export function outcomeOf(err: unknown): HandedBack | Dropped {
  const e =
    err instanceof ConsumerError ? err : ConsumerError.retryable(err instanceof Error ? err.message : String(err), { cause: err });
  return e.kind === 'permanent' ? dropped('refused', e) : handedBack('refused', e);
}
