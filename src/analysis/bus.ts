// In-process hand-off between pipelines of different signals, in place of a connector: an
// analysis processor in a metrics pipeline publishes log records (anomaly onsets), and the same
// processor id placed in a logs pipeline subscribes and injects them there (and vice versa for
// metrics derived from logs). Keyed by component id, so only that pairing is wired.
import type { Signal, SignalData } from '../pdata/types.js';

type Listener<S extends Signal> = (data: SignalData[S]) => Promise<void>;

export class SignalBus {
  private listeners = new Map<string, Set<Listener<Signal>>>();

  private key(id: string, signal: Signal): string {
    return `${id}\u0000${signal}`;
  }

  /** Returns the unsubscribe function. */
  subscribe<S extends Signal>(id: string, signal: S, fn: Listener<S>): () => void {
    const k = this.key(id, signal);
    let set = this.listeners.get(k);
    if (!set) this.listeners.set(k, (set = new Set()));
    set.add(fn as Listener<Signal>);
    return () => {
      set.delete(fn as Listener<Signal>);
      if (set.size === 0) this.listeners.delete(k);
    };
  }

  hasSubscribers(id: string, signal: Signal): boolean {
    return (this.listeners.get(this.key(id, signal))?.size ?? 0) > 0;
  }

  /**
   * Hands `data` to every subscriber (each gets its own copy: consumers may mutate). Resolves
   * with the number of subscribers; rejects if any of them refused the data.
   */
  async publish<S extends Signal>(id: string, signal: S, data: SignalData[S]): Promise<number> {
    const set = this.listeners.get(this.key(id, signal));
    if (!set || set.size === 0) return 0;
    const subs = [...set];
    await Promise.all(subs.map((fn, i) => fn(i === subs.length - 1 ? data : structuredClone(data))));
    return subs.length;
  }
}

/** The agent-wide bus (one per process). */
export const bus = new SignalBus();
