// Hands probe results to the pipeline: the points of probes that finish close together travel in
// one batch (flushed `flushMs` after the first), under one scope that names the receiver id
// (`telemd.receiver.id`, so the slo connector's `probe: httpcheck/web` finds its probes), with
// at most MAX_IN_FLIGHT batches awaiting acknowledgement; beyond that, points are not sent and
// are counted as refused (reason "skipped"), as the scrape controller does.
import type { Logger } from 'pino';
import type { MetricsConsumer } from '../component/consumer.js';
import { InFlight } from '../scraperhelper/inflight.js';
import type { Counter, SelfTelemetry } from '../telemetry/self.js';
import { PointsBuilder, type MetricDef } from './metrics.js';

/** The scope attribute naming the receiver that made the points. */
export const RECEIVER_ID_ATTR = 'telemd.receiver.id';

export interface EmitterOptions {
  /** Receiver type (`httpcheck`), for the scope name and messages. */
  type: string;
  /** Receiver id as written (`httpcheck/web`). */
  id: string;
  logger: Logger;
  telemetry: SelfTelemetry;
  next: MetricsConsumer;
  defs: Record<string, MetricDef>;
  enabled: ReadonlySet<string>;
  flushMs?: number;
}

export class CheckEmitter {
  readonly builder: PointsBuilder;
  private readonly inFlight: InFlight;
  private readonly refused: Counter;
  private timer?: NodeJS.Timeout;
  private readonly scope;

  constructor(private readonly opts: EmitterOptions) {
    this.builder = new PointsBuilder(opts.defs, opts.enabled);
    this.inFlight = new InFlight(opts.next, opts.logger, opts.type);
    this.refused = opts.telemetry.counter('telemd_receiver_refused_items_total', 'Items not collected because earlier batches still awaited delivery (items that reach the pipeline are counted by the core)', { signal: 'metrics', reason: 'skipped' });
    this.scope = { name: `telemd/receiver/${opts.type}`, attributes: { [RECEIVER_ID_ATTR]: opts.id } };
  }

  /** Call after adding a probe's points to `builder`. */
  added(): void {
    if (this.timer || this.builder.points === 0) return;
    this.timer = setTimeout(() => this.flush(), this.opts.flushMs ?? 100);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const n = this.builder.points;
    if (n === 0) return;
    const data = this.builder.take(this.scope);
    if (this.inFlight.full) {
      this.refused.add(n);
      this.opts.logger.warn({ points: n, inFlight: this.inFlight.size }, `pipeline is slow: ${this.opts.type} results not sent`);
      return;
    }
    this.inFlight.send(data, n);
  }

  async shutdown(): Promise<void> {
    this.flush();
    await this.inFlight.drain();
  }
}
