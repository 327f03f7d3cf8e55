// Bounds the requests a receiver holds in the pipeline. A request keeps its slot until the
// pipeline settled its batch, even after its client gave up: the batch is still in memory
// (e.g. blocked in a full queue), and that memory is what the bound is for.
import type { Signal } from '../../src/pdata/types.js';

export type Refusal = { reason: 'too_many_requests' | 'stalled'; message: string };

export class Ticket {
  private released = false;
  private abandoned = false;

  constructor(
    private gate: InflightGate,
    private signal: Signal,
  ) {}

  /**
   * The client went away while its batch was in the pipeline. True the first time, so the
   * caller counts it once.
   */
  clientGone(): boolean {
    if (this.released || this.abandoned) return false;
    this.abandoned = true;
    this.gate.abandoned[this.signal]++;
    return true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.gate.active--;
    if (this.abandoned) this.gate.abandoned[this.signal]--;
  }
}

export class InflightGate {
  active = 0;
  /** Per signal (one pipeline may stall while another flows): requests whose client left while the pipeline still holds their batch. */
  abandoned: Record<Signal, number> = { metrics: 0, logs: 0, traces: 0 };

  constructor(private max: number) {}

  /**
   * A slot, or why not. While an abandoned batch still waits, the pipeline is slower than
   * clients' timeouts: accepting more would only queue copies that clients will send again.
   */
  enter(signal: Signal): Ticket | Refusal {
    const gone = this.abandoned[signal];
    if (gone > 0)
      return {
        reason: 'stalled',
        message: `${signal} pipeline is not keeping up: ${gone} request(s) whose clients gave up are still waiting; retry later`,
      };
    if (this.active >= this.max)
      return { reason: 'too_many_requests', message: `receiver has ${this.active} requests in flight (max_concurrent_requests); retry later` };
    this.active++;
    return new Ticket(this, signal);
  }
}
