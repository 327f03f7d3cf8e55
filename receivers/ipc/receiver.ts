// The ipc receiver: System V IPC, Unix sockets, TCP/UDP queue pressure and kernel counters,
// read every collection_interval (and once at start). Like hostmetrics, at most MAX_IN_FLIGHT
// batches await delivery; further collections are skipped and counted while the pipeline is stuck.
import type { Logger } from 'pino';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import { countMetricPoints } from '../../src/pdata/count.js';
import { nowNanos } from '../../src/pdata/time.js';
import type { MetricsData } from '../../src/pdata/types.js';
import type { Counter } from '../../src/telemetry/self.js';
import { collectKernel, collectNet, collectSysv, collectUnix, type Env } from './collect.js';
import type { Config } from './config.js';
import { Builder, DEFS } from './metrics.js';
import { readText, tryReadText } from '../../src/procfs/index.js';

// As hostmetrics: generous, so that a down backend does not stop collections from reaching
// the pipeline's other exporters (its own queue is the buffer).
export const MAX_IN_FLIGHT = 512;
export const SCOPE = 'telemd/receiver/ipc';

export class IpcReceiver implements Receiver {
  private readonly log: Logger;
  private readonly refused: Counter;
  private readonly skipped: Counter;
  private readonly errors: Counter;
  private readonly enabled: Set<string>;
  private env!: Env;
  private boot = 0n;
  private timer?: NodeJS.Timeout;
  private first?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();
  private lastPoints = 0;
  private lastError = '';
  private stopped = false;

  constructor(
    set: CreateSettings,
    private readonly cfg: Config,
    private readonly next: MetricsConsumer,
  ) {
    this.log = set.logger;
    const sig = { signal: 'metrics' };
    this.refused = set.telemetry.counter('telemd_receiver_refused_items_total', 'Items not collected because earlier batches still awaited delivery (items that reach the pipeline are counted by the core)', { ...sig, reason: 'skipped' });
    this.skipped = set.telemetry.counter('telemd_receiver_skipped_scrapes_total', 'Collections skipped because earlier batches were still awaiting delivery', sig);
    this.errors = set.telemetry.counter('telemd_receiver_scrape_errors_total', 'Collections that failed', sig);
    this.enabled = new Set(Object.entries(DEFS).filter(([k, d]) => cfg.metrics[k]?.enabled ?? d.enabled).map(([k]) => k));
  }

  async start(_host: Host): Promise<void> {
    const root = this.cfg.root_path.replace(/\/+$/, '');
    const proc = (p: string) => `${root}/proc/${p}`;
    const m = /^btime (\d+)$/m.exec(readText(proc('stat')));
    this.boot = m ? BigInt(m[1]!) * 1_000_000_000n : 0n;
    const users = new Map<number, string>();
    for (const line of (tryReadText(`${root}/etc/passwd`) ?? '').split('\n')) {
      const f = line.split(':');
      if (f.length > 2) users.set(Number(f[2]), f[0]!);
    }
    this.env = { proc, users, maxObjects: this.cfg.max_objects, countPipes: this.cfg.count_pipes };
    this.first = setTimeout(() => {
      this.tick();
      this.timer = setInterval(() => this.tick(), this.cfg.collection_interval);
    }, this.cfg.initial_delay);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.first);
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  collect(): MetricsData {
    const b = new Builder(this.enabled, nowNanos(), this.boot);
    for (const [name, f] of [['sysv', collectSysv], ['unix', collectUnix], ['kernel', collectKernel], ['net', collectNet]] as const) {
      try {
        f(b, this.env);
      } catch (err) {
        this.errors.add();
        const msg = `${name}: ${err instanceof Error ? err.message : String(err)}`;
        if (msg !== this.lastError) this.log.error({ err: msg }, 'ipc collection failed');
        this.lastError = msg;
      }
    }
    const metrics = b.result();
    return { resourceMetrics: metrics.length ? [{ resource: { attributes: {} }, scopeMetrics: [{ scope: { name: SCOPE }, metrics }] }] : [] };
  }

  tick(): void {
    if (this.stopped) return;
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      this.skipped.add();
      this.refused.add(this.lastPoints);
      return;
    }
    const data = this.collect();
    const n = countMetricPoints(data);
    if (n === 0) return;
    this.lastPoints = n;
    const p: Promise<void> = this.next.consume(data).then(
      () => undefined,
      (err: unknown) => {
        this.log.warn({ err: err instanceof Error ? err.message : String(err), points: n }, 'ipc batch refused');
      },
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
