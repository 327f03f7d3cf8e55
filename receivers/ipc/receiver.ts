// The ipc receiver: System V IPC, Unix sockets, TCP/UDP queue pressure and kernel counters,
// read every collection_interval (and once at start). The shared scrape controller bounds the
// batches awaiting delivery (MAX_IN_FLIGHT) and skips and counts collections beyond that.
import type { Logger } from 'pino';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import { nowNanos } from '../../src/pdata/time.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { ScrapeController } from '../../src/scraperhelper/index.js';
import type { Counter } from '../../src/telemetry/self.js';
import { collectKernel, collectNet, collectSysv, collectUnix, type Env } from './collect.js';
import type { Config } from './config.js';
import { Builder, DEFS } from './metrics.js';
import { bootTimeNanos, parsePasswd, readText, tryReadText } from '../../src/procfs/index.js';
import { hostResource } from '../../src/resource/host.js';

export { MAX_IN_FLIGHT } from '../../src/scraperhelper/index.js';
export const SCOPE = 'telemd/receiver/ipc';

export class IpcReceiver implements Receiver {
  private readonly log: Logger;
  private readonly errors: Counter;
  private readonly controller: ScrapeController;
  private readonly enabled: Set<string>;
  private env!: Env;
  private boot = 0n;
  private lastError = '';

  constructor(
    set: CreateSettings,
    private readonly cfg: Config,
    next: MetricsConsumer,
  ) {
    this.log = set.logger;
    this.controller = new ScrapeController({
      name: 'ipc', logger: set.logger, telemetry: set.telemetry, next,
      collectionInterval: cfg.collection_interval, initialDelay: cfg.initial_delay,
      scrape: () => this.collect(),
    });
    this.errors = set.telemetry.counter('telemd_receiver_scrape_errors_total', 'Collections that failed', { signal: 'metrics' });
    this.enabled = new Set(Object.entries(DEFS).filter(([k, d]) => cfg.metrics[k]?.enabled ?? d.enabled).map(([k]) => k));
  }

  async start(_host: Host): Promise<void> {
    const root = this.cfg.root_path.replace(/\/+$/, '');
    const proc = (p: string) => `${root}/proc/${p}`;
    this.boot = bootTimeNanos(readText(proc('stat')));
    const users = parsePasswd(tryReadText(`${root}/etc/passwd`));
    this.env = { proc, users, maxObjects: this.cfg.max_objects, countPipes: this.cfg.count_pipes };
    this.controller.start();
  }

  async shutdown(): Promise<void> {
    await this.controller.shutdown();
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
    return { resourceMetrics: metrics.length ? [{ resource: { attributes: hostResource() }, scopeMetrics: [{ scope: { name: SCOPE }, metrics }] }] : [] };
  }

  /** One collection round (timer driven; tests call it directly). */
  tick(): void {
    this.controller.tick();
  }
}
