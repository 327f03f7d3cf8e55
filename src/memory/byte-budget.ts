// A byte budget for data in flight: what a receiver (or a group of receivers) holds between
// reading a request and the pipeline's acknowledgement. A request takes its bytes before the
// memory is allocated (while its body is read, before it is decoded) and gives them back when
// it is answered; one that does not fit is refused with a retryable answer, so hostile or
// excessive input costs at most the budget. Budgets nest: a child also takes from its parent.
import type { SelfTelemetry } from '../telemetry/self.js';

export class ByteBudget {
  private usedBytes = 0;
  private peakBytes = 0;

  constructor(
    readonly limit: number,
    private readonly parent?: ByteBudget,
  ) {}

  get used(): number {
    return this.usedBytes;
  }

  get peak(): number {
    return this.peakBytes;
  }

  /** What could be taken now (the smaller of this budget's and its parents' room). */
  get available(): number {
    const own = this.limit - this.usedBytes;
    return this.parent ? Math.min(own, this.parent.available) : own;
  }

  /** Takes `n` bytes, or nothing and false when they do not fit here or in a parent. */
  tryTake(n: number): boolean {
    if (n <= 0) return true;
    if (this.usedBytes + n > this.limit) return false;
    if (this.parent && !this.parent.tryTake(n)) return false;
    this.usedBytes += n;
    if (this.usedBytes > this.peakBytes) this.peakBytes = this.usedBytes;
    return true;
  }

  /** Takes `n` bytes even past the limit (one item larger than the whole budget, alone). */
  force(n: number): void {
    if (n <= 0) return;
    this.usedBytes += n;
    if (this.usedBytes > this.peakBytes) this.peakBytes = this.usedBytes;
    this.parent?.force(n);
  }

  release(n: number): void {
    if (n <= 0) return;
    this.usedBytes = Math.max(0, this.usedBytes - n);
    this.parent?.release(n);
  }

  /** A holder for one request's bytes, grown as the request is read and decoded. */
  reserve(): Reservation {
    return new Reservation(this);
  }

  /** Gauges of use and limit, labelled as `telemetry` labels its series. */
  observe(telemetry: SelfTelemetry, what: string): void {
    telemetry.observe('telemd_inflight_bytes', 'Bytes of data held in flight (estimated memory), by budget', { budget: what }, () => this.usedBytes);
    telemetry.observe('telemd_inflight_bytes_limit', 'Byte budget for data in flight', { budget: what }, () => this.limit);
  }
}

export class Reservation {
  private heldBytes = 0;

  constructor(private readonly budget: ByteBudget) {}

  get held(): number {
    return this.heldBytes;
  }

  /** Room this reservation could still grow by. */
  get room(): number {
    return this.budget.available;
  }

  /** Grow by `n`; false (and unchanged) when the budget has no room. */
  grow(n: number): boolean {
    if (!this.budget.tryTake(n)) return false;
    this.heldBytes += n;
    return true;
  }

  /** Hold exactly `n`: shrinking always works, growing only with room. */
  resize(n: number): boolean {
    if (n <= this.heldBytes) {
      this.budget.release(this.heldBytes - n);
      this.heldBytes = n;
      return true;
    }
    return this.grow(n - this.heldBytes);
  }

  release(): void {
    this.budget.release(this.heldBytes);
    this.heldBytes = 0;
  }
}
