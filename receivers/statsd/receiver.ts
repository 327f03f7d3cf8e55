// The statsd receiver: parses packets as they arrive, aggregates per aggregation_interval and
// hands one batch per interval downstream. A malformed line is counted and skipped; the
// other lines of its packet are kept.
import type { Logger } from 'pino';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import { countMetricPoints } from '../../src/pdata/count.js';
import { nowNanos } from '../../src/pdata/time.js';
import { InFlight } from '../../src/scraperhelper/index.js';
import type { Counter } from '../../src/telemetry/self.js';
import { Aggregator } from './aggregate.js';
import type { Config } from './config.js';
import { ParseError, parseLine } from './parse.js';
import { listenTcp, listenUdp, listenUnixgram, MAX_TCP_LINE, splitHostPort, type Listener } from './transport.js';
import { warnIfExposed } from '../../src/net/exposure.js';
import { hostResource } from '../../src/resource/host.js';
import { listenError } from '../../src/net/listen-error.js';

export const SCOPE = 'telemd/receiver/statsd';
export { MAX_IN_FLIGHT } from '../../src/scraperhelper/index.js';

export class StatsdReceiver implements Receiver {
  private readonly log: Logger;
  private readonly refused: Counter;
  private readonly malformed: Counter;
  private readonly overflow: Counter;
  private readonly agg: Aggregator;
  private listener?: Listener;
  private timer?: NodeJS.Timeout;
  private intervalStart = nowNanos();
  private readonly inFlight: InFlight;
  private readonly id: string;

  constructor(
    set: CreateSettings,
    private readonly cfg: Config,
    next: MetricsConsumer,
  ) {
    this.log = set.logger;
    this.id = set.id.id;
    this.inFlight = new InFlight(next, set.logger, 'statsd');
    const sig = { signal: 'metrics' };
    // Items that reach the pipeline are counted by the core; these never got that far.
    this.refused = set.telemetry.counter('telemd_receiver_refused_items_total', 'Items refused', { ...sig, reason: 'malformed_or_overflow' });
    this.malformed = set.telemetry.counter('telemd_receiver_malformed_lines_total', 'StatsD lines that could not be parsed', sig);
    this.overflow = set.telemetry.counter('telemd_receiver_statsd_series_overflow_total', 'Samples refused because max_series was reached', sig);
    set.telemetry.observe('telemd_receiver_statsd_series', 'Series aggregated in the current interval', sig, () => this.agg.size);
    this.agg = new Aggregator(cfg);
  }

  /** Where it listens (port 0 resolved), once started. */
  get address(): string | undefined {
    return this.listener?.address;
  }

  async start(_host: Host): Promise<void> {
    const onPacket = (b: Buffer) => this.onPacket(b);
    const onError = (e: Error) => this.log.error({ err: e.message }, 'statsd socket error');
    const t = this.cfg.transport;
    try {
      this.listener =
        t === 'unixgram'
          ? await listenUnixgram(this.cfg.endpoint, parseInt(this.cfg.socket_mode, 8), onPacket, onError)
          : t === 'tcp'
            ? await listenTcp(this.cfg.endpoint, onPacket, onError, () => this.overlong())
            : await listenUdp(this.cfg.endpoint, t, onPacket, onError);
    } catch (e) {
      if (!(e as NodeJS.ErrnoException).code) throw e;
      throw listenError(e, { listener: `${this.id} (statsd ${t})`, address: this.cfg.endpoint, configKey: `receivers::${this.id}::endpoint` });
    }
    if (t !== 'unixgram') {
      const port = Number(this.listener.address.split(':').pop());
      warnIfExposed(this.log, `receivers::${this.id}::endpoint`, `${this.id} (statsd ${t})`, splitHostPort(this.cfg.endpoint).host, port);
    }
    this.intervalStart = nowNanos();
    this.timer = setInterval(() => void this.flush(), this.cfg.aggregation_interval);
    this.log.info({ endpoint: this.listener.address, transport: t }, 'statsd receiver listening');
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.listener?.close();
    await this.flush();
    await this.inFlight.drain();
  }

  /** A TCP line past MAX_TCP_LINE, skipped unread to its newline. */
  private overlong(): void {
    this.malformed.add();
    this.refused.add();
    this.log.warn({ max_bytes: MAX_TCP_LINE, malformed: this.malformed.value() }, 'statsd TCP line longer than the limit skipped (up to its newline)');
  }

  onPacket(buf: Buffer): void {
    const text = buf.toString('utf8');
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      let line = text.slice(pos, end);
      pos = end + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.trim() === '') continue;
      try {
        if (!this.agg.add(parseLine(line, this.cfg.enable_simple_tags))) {
          this.refused.add();
          this.overflow.add();
          if (this.overflow.value() === 1 || this.overflow.value() % 10000 === 0)
            this.log.warn({ max_series: this.cfg.max_series, refused: this.overflow.value() }, 'statsd series limit reached: samples of new series refused until the next interval');
        }
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.malformed.add();
        this.refused.add();
        const n = this.malformed.value();
        if (n <= 10 || n % 1000 === 0)
          this.log.warn({ line: line.length > 200 ? line.slice(0, 200) + '…' : line, reason: e.message, malformed: n }, 'malformed statsd line skipped');
      }
    }
  }

  /**
   * Emit the interval's aggregates. Up to MAX_IN_FLIGHT batches may await their delivery
   * acknowledgement (a backend that is down must not hold back the pipeline's other
   * exporters); beyond that the receiver keeps aggregating into the next interval.
   */
  async flush(): Promise<void> {
    if (this.inFlight.full) return;
    const now = nowNanos();
    const metrics = this.agg.flush(this.intervalStart, now);
    this.intervalStart = now;
    if (metrics.length === 0) return;
    const data = { resourceMetrics: [{ resource: { attributes: hostResource() }, scopeMetrics: [{ scope: { name: SCOPE }, metrics }] }] };
    this.inFlight.send(data, countMetricPoints(data));
  }
}
