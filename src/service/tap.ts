// Taps: sampled copies of the batches passing a component, for `telemd tap` and the console.
// The counting wrappers of observe.ts (receiver out, processor in/out, connector in, and what a
// connector hands to each pipeline it feeds) hold one TapPoint each;
// with no tap attached a point costs one length check per batch. An attached tap copies at most
// maxBatchesPerSecond batches (the rest are skipped and counted) into a bounded buffer that
// drops the newest when its reader is slow (counted): the pipeline never waits for a reader.
//
// Taps reach the wrappers through the agent's metric registry (every wrapper already has it),
// so the graph needs no change: `tapsFor(registry)`.
import type { Kind } from '../component/component.js';
import type { PipelineInfo, Tap, TapDirection, TapEvent, TapOptions, TapTarget, TapView } from '../component/service-view.js';
import { countItems } from '../pdata/count.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { MetricRegistry } from '../telemetry/self.js';

/** Where a wrapper sits: one per (kind, id, direction, signal, pipeline), reused across reloads. */
export class TapPoint {
  /** Attached taps; empty = no cost beyond this check. */
  taps: TapImpl[] = [];
  constructor(
    readonly kind: Kind,
    readonly id: string,
    readonly direction: TapDirection,
    readonly signal: Signal,
    readonly pipeline: string | undefined,
  ) {}

  offer(data: SignalData[Signal]): void {
    for (const t of this.taps) t.offer(this, data);
  }
}

class TapImpl implements Tap {
  private buf: TapEvent[] = [];
  private waiters: (() => void)[] = [];
  private tokens: number;
  private refilledAt = Date.now();
  dropped = 0;
  skipped = 0;
  closed = false;
  private readonly capacity: number;
  private readonly rate: number;

  constructor(
    readonly target: TapTarget,
    opts: TapOptions,
    private readonly detach: (t: TapImpl) => void,
  ) {
    this.capacity = Math.max(1, opts.capacity ?? 16);
    this.rate = Math.max(1, opts.maxBatchesPerSecond ?? 10);
    this.tokens = this.rate;
  }

  offer(p: TapPoint, data: SignalData[Signal]): void {
    if (this.closed) return;
    const now = Date.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilledAt) * this.rate) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.skipped++;
      return;
    }
    // The sample is taken; whether the reader has room for it is the buffer's business.
    this.tokens -= 1;
    if (this.buf.length >= this.capacity) {
      this.dropped++;
      return;
    }
    // A copy: downstream processors may change the batch once this call returns.
    const copy = structuredClone(data);
    this.buf.push({ time: now, kind: p.kind, id: p.id, ...(p.pipeline !== undefined ? { pipeline: p.pipeline } : {}), direction: p.direction, signal: p.signal, items: countItems(p.signal, copy), data: copy });
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get buffered(): number {
    return this.buf.length;
  }

  take(max?: number): TapEvent[] {
    if (max === undefined || max >= this.buf.length) return this.buf.splice(0);
    return this.buf.splice(0, Math.max(0, max));
  }

  wait(signal?: AbortSignal): Promise<void> {
    if (this.buf.length > 0 || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detach(this);
    this.wake();
  }
}

const DIRECTIONS: Record<Kind, readonly TapDirection[]> = {
  receiver: ['out'],
  processor: ['in', 'out'],
  exporter: ['in'],
  connector: ['in', 'out'],
  extension: [],
};

export class TapRegistry implements TapView {
  private points = new Map<string, TapPoint>();
  private taps = new Set<TapImpl>();

  /**
   * @param pipelines the running pipelines (an exporter's input is the output of the last
   * processor, or of the receivers, of each pipeline that lists it)
   * @param running whether a component of that kind and id runs now
   */
  constructor(
    private readonly pipelines: () => readonly PipelineInfo[],
    private readonly running: (kind: Kind, id: string) => boolean,
  ) {}

  /** The point of one wrapper (made once per place; attached taps see points made later too). */
  point(kind: Kind, id: string, direction: TapDirection, signal: Signal, pipeline?: string): TapPoint {
    const key = `${kind}\u0000${id}\u0000${direction}\u0000${signal}\u0000${pipeline ?? ''}`;
    let p = this.points.get(key);
    if (!p) {
      p = new TapPoint(kind, id, direction, signal, pipeline);
      this.points.set(key, p);
      for (const t of this.taps) if (this.covers(t.target, p)) p.taps = [...p.taps, t];
    }
    return p;
  }

  /** Whether point `p` carries what `target` asks for. */
  private covers(target: TapTarget, p: TapPoint): boolean {
    if (target.signal !== undefined && target.signal !== p.signal) return false;
    if (target.kind === 'exporter') {
      // Exporter input: the tail of each pipeline listing it.
      if (target.direction !== 'in') return false;
      return this.pipelines().some((pl) => {
        if (pl.signal !== p.signal || !pl.exporters.includes(target.id)) return false;
        if (target.pipeline !== undefined && pl.id !== target.pipeline) return false;
        if (pl.processors.length > 0) return p.kind === 'processor' && p.direction === 'out' && p.pipeline === pl.id && p.id === pl.processors[pl.processors.length - 1];
        if (p.kind === 'connector') return p.direction === 'out' && p.pipeline === pl.id && pl.receivers.includes(p.id);
        return p.kind === 'receiver' && pl.receivers.includes(p.id);
      });
    }
    if (p.kind !== target.kind || p.id !== target.id || p.direction !== target.direction) return false;
    return target.pipeline === undefined || p.pipeline === target.pipeline;
  }

  attach(target: TapTarget, opts: TapOptions = {}): Tap {
    if (!DIRECTIONS[target.kind].includes(target.direction))
      throw new Error(`a ${target.kind} has ${DIRECTIONS[target.kind].length ? `only ${DIRECTIONS[target.kind].join('/')}` : 'no data to tap'}, not ${target.direction}`);
    if (!this.running(target.kind, target.id)) throw new Error(`no running ${target.kind} ${target.id}`);
    const tap = new TapImpl(target, opts, (t) => {
      this.taps.delete(t);
      for (const p of this.points.values()) if (p.taps.includes(t)) p.taps = p.taps.filter((x) => x !== t);
    });
    this.taps.add(tap);
    // Copy-on-write lists: a batch being offered keeps iterating the list it started with.
    for (const p of this.points.values()) if (this.covers(target, p)) p.taps = [...p.taps, tap];
    return tap;
  }

  list(): { target: TapTarget; buffered: number; dropped: number; skipped: number }[] {
    return [...this.taps].map((t) => ({ target: t.target, buffered: t.buffered, dropped: t.dropped, skipped: t.skipped }));
  }

  /** Closes every tap (agent shutdown). */
  closeAll(): void {
    for (const t of [...this.taps]) t.close();
  }
}

const byRegistry = new WeakMap<MetricRegistry, TapRegistry>();

/** The agent's taps, found from the registry a wrapper's SelfTelemetry carries. */
export function tapsFor(registry: MetricRegistry): TapRegistry | undefined {
  return byRegistry.get(registry);
}

export function bindTaps(registry: MetricRegistry, taps: TapRegistry): void {
  byRegistry.set(registry, taps);
}
