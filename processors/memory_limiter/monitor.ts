// One memory monitor per memory_limiter id, shared by every pipeline that names it (as in the
// Collector), so the check timer and the refusal state are global to the component.
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { computeLimits, type Limits } from './limits.js';
import { gcFunction } from '../../src/util/gc.js';

const MiB = 1024 * 1024;
type GcFn = () => void;

export interface MemorySample {
  rss: number;
  heapUsed: number;
  /** V8 heap reserved; defaults to heapUsed (no reusable free space). */
  heapTotal?: number;
  /** Memory of Buffers and other C++ objects held by JS. */
  external?: number;
  /** Native memory of the runtime itself (code, libraries), measured at start. */
  overhead?: number;
}

export function sampleMemory(): MemorySample {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
}

/**
 * Memory in use. V8 keeps freed heap pages and malloc keeps freed Buffer memory, so RSS stays high
 * long after a spike although new data reuses that space; judging by RSS alone would refuse data
 * long after the pressure is gone. So: the lower of RSS less V8's free heap space, and what JS
 * holds (heap used + external) plus the runtime's own footprint.
 */
export function inUse(m: MemorySample): number {
  const rssView = m.rss - Math.max(0, (m.heapTotal ?? m.heapUsed) - m.heapUsed);
  if (m.overhead === undefined || m.external === undefined) return rssView;
  return Math.min(rssView, m.heapUsed + m.external + m.overhead);
}

export class MemoryMonitor {
  refusing = false;
  last: MemorySample = { rss: 0, heapUsed: 0 };
  /** Measured at the first check, before data flows. */
  gcCount = 0;
  readonly limits: Limits;
  private timer?: NodeJS.Timeout;
  private lastGc = 0;
  refs = 0;

  constructor(
    private readonly cfg: Config,
    private readonly logger: Logger,
    private readonly measure: () => MemorySample = sampleMemory,
    private readonly gc: GcFn | undefined = gcFunction(),
  ) {
    this.limits = computeLimits(cfg);
  }

  start(): void {
    if (this.timer) return;
    if (!this.gc)
      this.logger.warn('memory_limiter: cannot force garbage collection on this runtime; limits still apply');
    this.check();
    this.timer = setInterval(() => this.check(), this.cfg.check_interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private overhead?: number;

  private sample(): MemorySample {
    const m = this.measure();
    // The runtime's native footprint before any data: RSS not explained by the JS heap or Buffers.
    if (this.overhead === undefined && m.external !== undefined && m.heapTotal !== undefined)
      this.overhead = Math.max(0, m.rss - m.heapTotal - m.external);
    return { ...m, overhead: this.overhead };
  }

  /** Measure, force GC when over a limit (rate limited), and update the refusal state. */
  check(): void {
    let m = this.sample();
    const now = performance.now();
    // GC when either the process footprint (RSS) or the memory in use crosses a limit.
    const level = Math.max(m.rss, inUse(m));
    const minGap =
      level >= this.limits.hard ? this.cfg.min_gc_interval_when_hard_limited
      : inUse(m) >= this.limits.soft ? this.cfg.min_gc_interval_when_soft_limited
      : Infinity;
    if (this.gc && minGap !== Infinity && (this.gcCount === 0 || now - this.lastGc >= minGap)) {
      this.gc();
      this.gcCount++;
      this.lastGc = now;
      m = this.sample();
    }
    this.last = m;
    // Backstop: whatever the in-use estimate says, RSS a quarter of the spike above the hard limit refuses.
    const backstop = this.limits.hard + (this.limits.hard - this.limits.soft) / 4;
    const over = inUse(m) >= this.limits.soft || m.rss >= backstop;
    if (over !== this.refusing) {
      const f = { in_use_mib: mib(inUse(m)), rss_mib: mib(m.rss), heap_used_mib: mib(m.heapUsed), soft_limit_mib: mib(this.limits.soft), hard_limit_mib: mib(this.limits.hard) };
      if (over) this.logger.warn(f, 'memory usage above the soft limit: refusing data until it drops');
      else this.logger.info(f, 'memory usage back below the soft limit: accepting data');
      this.refusing = over;
    }
  }
}

function mib(b: number): number {
  return Math.round((b / MiB) * 10) / 10;
}

const monitors = new Map<string, MemoryMonitor>();

/** The monitor of a component id; created on first use, stopped when the last user releases it. */
export function acquireMonitor(id: string, cfg: Config, logger: Logger): MemoryMonitor {
  let m = monitors.get(id);
  if (!m) {
    m = new MemoryMonitor(cfg, logger);
    monitors.set(id, m);
  }
  m.refs++;
  return m;
}

export function releaseMonitor(id: string, m: MemoryMonitor): void {
  m.refs--;
  if (m.refs <= 0 && monitors.get(id) === m) {
    m.stop();
    monitors.delete(id);
  }
}
