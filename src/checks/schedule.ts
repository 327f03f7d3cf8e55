// Probe scheduling shared by the check receivers (httpcheck, tcpcheck, systemd): every target
// runs on its own timer, offset within its interval by a hash of its key (Prometheus spreads
// scrapes the same way, so 100 targets at 10 s do not all fire at once and a restart keeps the
// phase), a probe never overlaps the previous probe of the same target (that tick is skipped
// and counted), a slow or hanging target holds only its own timer and one concurrency slot,
// and at most `maxConcurrency` probes run at once (a due probe waits for a slot, FIFO).
import type { Logger } from 'pino';
import type { Counter, SelfTelemetry } from '../telemetry/self.js';

export interface ScheduledTarget {
  /** Stable identity (URL, host:port, unit pattern): the phase offset is derived from it. */
  readonly key: string;
  /** Milliseconds between probe starts. */
  readonly intervalMs: number;
}

export interface SchedulerOptions<T extends ScheduledTarget> {
  name: string;
  logger: Logger;
  telemetry: SelfTelemetry;
  targets: readonly T[];
  /** Runs one probe; must settle (the probe enforces its own timeout). `signal` aborts at shutdown. */
  probe(target: T, signal: AbortSignal): Promise<void>;
  maxConcurrency: number;
  /** Added to every target's first start (the Collector's `initial_delay`). */
  initialDelayMs: number;
  /** Spread first probes over the interval (default true); false starts all at initial_delay. */
  spread?: boolean;
  now?: () => number;
}

interface TargetState<T> {
  target: T;
  timer?: NodeJS.Timeout;
  next: number;
  running: boolean;
  waiting: boolean;
}

/** FNV-1a of the key, as a fraction in [0, 1): the target's phase within its interval. */
export function phaseOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

export class ProbeScheduler<T extends ScheduledTarget> {
  private readonly states: TargetState<T>[];
  private readonly queue: TargetState<T>[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private active = 0;
  private stopped = false;
  readonly skipped: Counter;
  readonly delayed: Counter;
  readonly probes: Counter;

  constructor(private readonly opts: SchedulerOptions<T>) {
    this.now = opts.now ?? Date.now;
    this.states = opts.targets.map((target) => ({ target, next: 0, running: false, waiting: false }));
    const t = opts.telemetry;
    this.probes = t.counter('telemd_receiver_probes_started_total', 'Probes started by a check receiver', { signal: 'metrics' });
    this.skipped = t.counter('telemd_receiver_probes_skipped_total', 'Probe ticks skipped because the previous probe of the same target was still running or waiting', { signal: 'metrics', reason: 'overlap' });
    this.delayed = t.counter('telemd_receiver_probes_delayed_total', 'Probes that waited for a free slot (max_concurrency reached)', { signal: 'metrics' });
    t.observe('telemd_receiver_probes_running', 'Probes running now', { signal: 'metrics' }, () => this.active);
  }

  start(): void {
    const now = this.now();
    for (const st of this.states) {
      const iv = st.target.intervalMs;
      // Aligned to the interval grid plus the target's phase, so the offset survives restarts.
      let first = now + this.opts.initialDelayMs;
      if (this.opts.spread !== false) {
        const phase = Math.floor(phaseOf(st.target.key) * iv);
        const base = Math.floor(first / iv) * iv + phase;
        first = base >= first ? base : base + iv;
      }
      this.arm(st, first);
    }
  }

  /** Stops the timers and aborts running probes; resolves when every probe has settled. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const st of this.states) clearTimeout(st.timer);
    this.queue.length = 0;
    this.abort.abort();
    await Promise.allSettled([...this.running]);
  }

  private arm(st: TargetState<T>, at: number): void {
    if (this.stopped) return;
    st.next = at;
    st.timer = setTimeout(() => this.due(st), Math.max(0, at - this.now()));
  }

  private due(st: TargetState<T>): void {
    const iv = st.target.intervalMs;
    // The next start stays on the grid; after a stall, missed ticks are not made up.
    let next = st.next + iv;
    const now = this.now();
    if (next <= now) next += Math.ceil((now - next + 1) / iv) * iv;
    this.arm(st, next);
    if (st.running || st.waiting) {
      this.skipped.add();
      const n = this.skipped.value();
      if (n === 1 || n % 100 === 0)
        this.opts.logger.warn({ target: st.target.key, skipped: n }, `${this.opts.name}: a probe is still running when the next is due; skipping (probes never overlap; lower timeout or raise the interval)`);
      return;
    }
    if (this.active >= this.opts.maxConcurrency) {
      st.waiting = true;
      this.delayed.add();
      this.queue.push(st);
      return;
    }
    this.run(st);
  }

  private run(st: TargetState<T>): void {
    st.running = true;
    this.active++;
    this.probes.add();
    const p = this.opts
      .probe(st.target, this.abort.signal)
      .catch((err: unknown) => {
        // Probes report their own failures as data; this is the backstop for a bug.
        this.opts.logger.error({ target: st.target.key, err: err instanceof Error ? err.message : String(err) }, `${this.opts.name} probe failed unexpectedly`);
      })
      .finally(() => {
        st.running = false;
        this.active--;
        this.running.delete(p);
        const nextUp = this.queue.shift();
        if (nextUp && !this.stopped) {
          nextUp.waiting = false;
          this.run(nextUp);
        }
      });
    this.running.add(p);
  }
}
