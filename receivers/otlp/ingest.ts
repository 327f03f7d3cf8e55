// What both transports do with a decoded request: hand it to the pipeline, wait for the delivery
// acknowledgement, count, and turn the outcome into an OTLP answer.
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { ConsumerError, type SignalConsumers } from '../../src/component/consumer.js';
import type { CreateSettings } from '../../src/component/component.js';
import { countItems, type Signal, type SignalData } from '../../src/pdata/index.js';
import type { Counter, SelfTelemetry } from '../../src/telemetry/self.js';
import { ByteBudget } from '../../src/memory/byte-budget.js';
import { delivered, dropped, handedBack, type Outcome } from '../../src/component/outcome.js';
import { InflightGate, Ticket, type Refusal } from './inflight.js';
import { Turns } from './turns.js';

export type Transport = 'grpc' | 'http';

export type { Outcome } from '../../src/component/outcome.js';

/** Refused before the pipeline saw it (budget, in-flight slots): handed back, with the receiver's Retry-After. */
export function refusedRetryable(message: string, retryAfterMs: number): Outcome {
  return handedBack('receiver_busy', ConsumerError.retryable(message, { retryAfterMs }));
}

export class Ingest {
  private badRequests = new Map<string, Counter>();
  readonly logger: Logger;
  private warned = new Set<string>();
  private gate: InflightGate;
  private abandonedReqs = new Map<string, Counter>();
  /** Estimated memory of requests being read, decoded or held by the pipeline (admission.request_limit_mib). */
  readonly budget: ByteBudget;

  constructor(
    private set: CreateSettings,
    private next: SignalConsumers,
    readonly retryAfterMs: number,
    maxConcurrent: number,
    budgetBytes: number,
    maxQueueWaitMs = 0,
  ) {
    this.turns = new Turns(maxQueueWaitMs);
    this.logger = set.logger;
    this.gate = new InflightGate(maxConcurrent);
    this.budget = new ByteBudget(budgetBytes);
    this.budget.observe(set.telemetry, 'receiver');
  }

  /** The component id ("otlp", "otlp/edge"), for config keys in messages. */
  get id(): string {
    return this.set.id.id;
  }

  get telemetry(): SelfTelemetry {
    return this.set.telemetry;
  }

  /** One decode per event-loop turn, oldest first (admission.max_queue_wait). */
  private turns: Turns;

  /**
   * A refusal (counted, reason "overloaded") for a request that just arrived, before its body
   * is read: what already waits to be decoded would keep it waiting past max_queue_wait.
   */
  overloaded(transport: Transport): string | undefined {
    const r = this.turns.behind();
    if (r) this.badRequest(transport, 'overloaded', r);
    return r;
  }

  /**
   * `decode` run in this request's turn, or a refusal (counted) if it waited far past
   * max_queue_wait: the request is then answered 503 / UNAVAILABLE without being decoded.
   */
  inTurn<T>(transport: Transport, bytes: number, decode: () => T): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
    return this.turns.run(
      bytes,
      () => ({ ok: true as const, value: decode() }),
      (message) => {
        this.badRequest(transport, 'overloaded', message);
        return { ok: false as const, message };
      },
    );
  }

  /** A slot for one request until it is answered, or a refusal (counted) to answer 503 / UNAVAILABLE. */
  admit(transport: Transport, signal: Signal): Ticket | Refusal {
    const t = this.gate.enter(signal);
    if (!(t instanceof Ticket)) this.badRequest(transport, t.reason, t.message);
    return t;
  }

  /** The client left while the pipeline held its batch: counted, the batch stays in the pipeline. */
  clientGone(ticket: Ticket, transport: Transport, signal: Signal, items: number): void {
    if (!ticket.clientGone()) return;
    const key = `${transport}/${signal}`;
    let c = this.abandonedReqs.get(key);
    if (!c) {
      c = this.set.telemetry.counter(
        'telemd_receiver_abandoned_items_total',
        'Items whose client went away before the pipeline acknowledged them (they may arrive again as a retry)',
        { transport, signal },
      );
      this.abandonedReqs.set(key, c);
    }
    c.add(items);
    this.logger.debug({ transport, signal, items }, 'OTLP client went away before its batch was acknowledged');
  }

  has(signal: Signal): boolean {
    return this.next[signal] !== undefined;
  }

  /** A request refused before its items could be counted (malformed body, auth, size, type). */
  badRequest(transport: Transport, reason: string, detail: string): void {
    const key = `${transport}/${reason}`;
    let c = this.badRequests.get(key);
    if (!c) {
      c = this.set.telemetry.counter('telemd_receiver_refused_requests_total', 'Requests refused before decoding their items', { transport, reason });
      this.badRequests.set(key, c);
    }
    c.add();
    // Once per reason at warn with a sample; the rest at debug so a bad client cannot flood the log.
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.logger.warn({ transport, reason, sample: detail.slice(0, 300) }, 'refused OTLP request (further ones of this kind are logged at debug)');
    } else this.logger.debug({ transport, reason, sample: detail.slice(0, 300) }, 'refused OTLP request');
  }

  async deliver<S extends Signal>(signal: S, data: SignalData[S], transport: Transport): Promise<Outcome> {
    const next = this.next[signal];
    if (!next) return dropped('unimplemented', ConsumerError.permanent(`no pipeline takes ${signal} from this receiver`));
    // Accepted / refused items are counted by the core around `next` (src/service/observe.ts).
    const items = countItems(signal, data);
    if (items === 0) return delivered;
    try {
      await next.consume(data);
      return delivered;
    } catch (err) {
      const ce = err instanceof ConsumerError ? err : ConsumerError.retryable(err instanceof Error ? err.message : String(err));
      if (ce.kind === 'permanent') {
        const rejected = Math.min(items, ce.rejectedItems ?? items);
        if (rejected < items) return { kind: 'delivered', partial: { rejected, errorMessage: ce.message } };
        return dropped('refused', ce);
      }
      return ce.retryAfterMs !== undefined ? handedBack('refused', ce) : refusedRetryable(ce.message, this.retryAfterMs);
    }
  }
}

/** Constant-time bearer-token check. */
export function checkBearer(header: string | undefined, token: Buffer): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  const got = Buffer.from(m[1]!);
  if (got.length !== token.length) return false;
  return timingSafeEqual(got, token);
}
