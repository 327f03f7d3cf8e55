// "One run going, one queued": the group-commit primitive behind the persistent queue's writer
// and ack pointer, the file exporter's write + fsync and filelog's checkpoints. A call while
// idle starts the task at once (no timer); calls while it runs share one further run, which
// starts as soon as the current one ends and sees everything that arrived meanwhile.

export class Coalescer {
  private current?: Promise<void>;
  private next?: Promise<void>;
  private lastStart = 0;

  /**
   * `spacingMs` (optional) is the least time between the starts of two runs, read when a queued
   * run is due (0 = none): for writes nobody waits for, such as the queue's ack pointer.
   */
  constructor(
    private readonly task: () => Promise<void>,
    private readonly spacingMs?: () => number,
  ) {}

  /** Resolves (or rejects, with the task's error) when a run that started after this call has ended. */
  run(): Promise<void> {
    if (this.next) return this.next;
    if (!this.current) return this.start();
    this.next = this.current
      .catch(() => undefined)
      .then(() => this.spaced())
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    return this.next;
  }

  /** A run is going or queued. */
  get busy(): boolean {
    return this.current !== undefined || this.next !== undefined;
  }

  /** Resolves once nothing is running or queued (errors are the callers' of run()). */
  async idle(): Promise<void> {
    while (this.busy) await (this.next ?? this.current)!.catch(() => undefined);
  }

  private start(): Promise<void> {
    this.lastStart = Date.now();
    // Through a microtask, so that a task throwing synchronously still clears `current`.
    const p = Promise.resolve()
      .then(this.task)
      .finally(() => {
        if (this.current === p) this.current = undefined;
      });
    this.current = p;
    return p;
  }

  private async spaced(): Promise<void> {
    const rest = (this.spacingMs?.() ?? 0) - (Date.now() - this.lastStart);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
}
