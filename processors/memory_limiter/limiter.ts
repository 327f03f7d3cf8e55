import type { CreateSettings, Processor } from '../../src/component/component.js';
import { ConsumerError, type Consumer } from '../../src/component/consumer.js';
import { countItems } from '../../src/pdata/count.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';
import { processorCounters, type ProcessorCounters } from '../../src/processorhelper/processor.js';
import type { Config } from './config.js';
import { acquireMonitor, inUse, releaseMonitor, type MemoryMonitor } from './monitor.js';

const MiB = 1024 * 1024;

export class MemoryLimiterProcessor<S extends Signal> implements Processor<SignalData[S]> {
  /** Passes batches on untouched (or refuses them). */
  readonly capabilities = { mutatesData: false };
  private readonly counters: ProcessorCounters;
  readonly monitor: MemoryMonitor;
  private released = false;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
    private readonly signal: S,
    private readonly next: Consumer<SignalData[S]>,
    monitor?: MemoryMonitor,
  ) {
    this.counters = processorCounters(set, signal);
    this.monitor = monitor ?? acquireMonitor(set.id.id, cfg, set.logger);
    const m = this.monitor;
    const t = set.telemetry;
    t.observe('telemd_memory_limiter_rss_bytes', 'Process RSS at the last check', {}, () => m.last.rss);
    t.observe('telemd_memory_limiter_heap_used_bytes', 'V8 heap in use at the last check', {}, () => m.last.heapUsed);
    t.observe('telemd_memory_limiter_external_bytes', 'Buffer and other external memory at the last check', {}, () => m.last.external ?? 0);
    t.observe('telemd_memory_limiter_in_use_bytes', 'Memory in use (see README): what the limits are compared with', {}, () => inUse(m.last));
    t.observe('telemd_memory_limiter_refusing', '1 while data is refused for memory', {}, () => (m.refusing ? 1 : 0));
    t.observe('telemd_memory_limiter_forced_gc_total', 'Garbage collections forced', {}, () => m.gcCount, 'counter');
  }

  async start(): Promise<void> {
    this.monitor.start();
  }

  async shutdown(): Promise<void> {
    if (this.released) return;
    this.released = true;
    releaseMonitor(this.set.id.id, this.monitor);
  }

  async consume(data: SignalData[S]): Promise<void> {
    if (this.monitor.refusing) {
      this.counters.refused.add(countItems(this.signal, data));
      const used = inUse(this.monitor.last);
      throw ConsumerError.retryable(
        `memory_limiter: memory in use ${Math.round(used / MiB)} MiB is above the soft limit ${Math.round(this.monitor.limits.soft / MiB)} MiB; data refused, retry later`,
        { retryAfterMs: this.cfg.check_interval },
      );
    }
    await this.next.consume(data);
  }
}
