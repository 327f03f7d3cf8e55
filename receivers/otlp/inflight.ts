// Bounds the requests a receiver holds in the pipeline. A request keeps its slot until the
// pipeline settled its batch, even after its client gave up: the batch is still in memory
// (e.g. blocked in a full queue), and that memory is what the bound is for.

export type Refusal = { reason: 'too_many_requests' | 'stalled'; message: string };

export class Ticket {
  private released = false;
  private abandoned = false;

  constructor(private gate: InflightGate) {}

  /**
   * The client went away while its batch was in the pipeline. True the first time, so the
   * caller counts it once.
   */
  clientGone(): boolean {
    if (this.released || this.abandoned) return false;
    this.abandoned = true;
    this.gate.abandoned++;
    return true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.gate.active--;
    if (this.abandoned) this.gate.abandoned--;
  }
}

export class InflightGate {
  active = 0;
  /** Requests whose client left while the pipeline still holds their batch. */
  abandoned = 0;

  constructor(private max: number) {}

  /**
   * A slot, or why not. While an abandoned batch still waits, the pipeline is slower than
   * clients' timeouts: accepting more would only queue copies that clients will send again.
   */
  enter(): Ticket | Refusal {
    if (this.abandoned > 0)
      return {
        reason: 'stalled',
        message: `pipeline is not keeping up: ${this.abandoned} request(s) whose clients gave up are still waiting; retry later`,
      };
    if (this.active >= this.max)
      return { reason: 'too_many_requests', message: `receiver has ${this.active} requests in flight (max_concurrent_requests); retry later` };
    this.active++;
    return new Ticket(this);
  }
}
