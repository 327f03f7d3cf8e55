import { ConsumerError, type Consumer } from '../component/consumer.js';

/**
 * A consumer whose target the graph can change: the outputs of component instances (what a
 * receiver, processor or connector was created with) and the inputs of nodes (what upstream
 * fan-outs point at). A reload re-points switches instead of rebuilding what did not change.
 *
 * While `hold()`ed (the instance behind it is being replaced), batches wait instead of being
 * refused; `release()` lets them through to the new target, or refuses them as retryable when
 * the node is gone (the sender re-sends into the new pipelines). On the hot path: one check.
 */
export class Switch<T> implements Consumer<T> {
  private gate: Promise<void> | undefined;
  private open?: () => void;
  private gone?: string;

  constructor(
    private target: Consumer<T> | undefined,
    private readonly label: string,
  ) {}

  consume(data: T): Promise<void> {
    if (this.gate === undefined && this.target !== undefined) return this.target.consume(data);
    return this.later(data);
  }

  private async later(data: T): Promise<void> {
    while (this.gate !== undefined) await this.gate;
    if (this.gone !== undefined || this.target === undefined) throw ConsumerError.retryable(this.gone ?? `${this.label} is not running`);
    return this.target.consume(data);
  }

  /** Points at a new target (it must be running: batches flow to it at once unless held). */
  set(target: Consumer<T>): void {
    this.target = target;
    this.gone = undefined;
  }

  get held(): boolean {
    return this.gate !== undefined;
  }

  /** Batches wait from now on, until release(). */
  hold(): void {
    this.gate ??= new Promise<void>((r) => (this.open = r));
  }

  /** Lets waiting and new batches through: to `target` if given, else refused (the node is gone). */
  release(target?: Consumer<T>, goneReason?: string): void {
    if (target) this.set(target);
    else {
      this.target = undefined;
      this.gone = goneReason ?? `${this.label} was removed by a reload; retry`;
    }
    const open = this.open;
    this.gate = undefined;
    this.open = undefined;
    open?.();
  }
}
