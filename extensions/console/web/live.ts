// Short polling that only runs while the page is shown: a hidden tab (or a closed page) asks the
// agent for nothing. Each page's timers and streams stop when the user navigates away.
export class Scope {
  private timers = new Set<() => void>();
  private aborts = new Set<AbortController>();
  closed = false;

  /** Runs `fn` now and then every `ms` after it settles, while the document is visible. */
  every(ms: number | (() => number), fn: (signal: AbortSignal) => Promise<void> | void): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    let stopped = false;
    const ac = this.abortable();
    const period = () => (typeof ms === 'number' ? ms : ms());
    const tick = async () => {
      timer = undefined;
      if (stopped || this.closed) return;
      if (document.hidden) return; // resumed by the visibility listener
      running = true;
      try {
        await fn(ac.signal);
      } catch (err) {
        if ((err as Error).name !== 'AbortError') console.warn(err);
      } finally {
        running = false;
      }
      if (!stopped && !this.closed && period() > 0) timer = setTimeout(tick, period());
    };
    const onVis = () => {
      if (!document.hidden && !running && timer === undefined) void tick();
    };
    document.addEventListener('visibilitychange', onVis);
    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVis);
      ac.abort();
    };
    this.timers.add(stop);
    void tick();
    return stop;
  }

  /** Re-runs a poller now (after the user changed something). */
  abortable(): AbortController {
    const ac = new AbortController();
    this.aborts.add(ac);
    return ac;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) t();
    for (const a of this.aborts) a.abort();
    this.timers.clear();
    this.aborts.clear();
  }
}
