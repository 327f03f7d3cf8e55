// Decoding in turns of the event loop, oldest first, at most a slice of time per turn. Under CPU
// overload the queue that grows is otherwise not ours: Node 20's libuv accepts one connection
// per loop iteration, so while iterations are long (every ready body decoded in one of them)
// connections wait in the kernel's accept queue and their bodies in socket buffers: seconds of
// latency that nothing counts. Decoding in slices keeps iterations short (connections keep
// being accepted) and makes the wait measurable here:
// - a new request is refused (503 / UNAVAILABLE) before its body is read when the bytes already
//   waiting, at the drain rate measured while backlogged, would take longer than
//   admission.max_queue_wait;
// - a request that still waited twice that long (a stall the estimate did not see) is refused
//   before it is decoded, once waits have stayed that long for half the limit (as in CoDel, a
//   single long wait, such as a cold start or a full GC, is not overload).

/** Loop time per turn spent on what is taken (decoding and the pipeline work it sets off). */
const SLICE_MS = 10;
/** A request costs at least this many bytes' worth: small ones cost per request, not per byte. */
const MIN_COST_BYTES = 16 * 1024;

interface Waiting {
  since: number;
  bytes: number;
  run: () => void;
  refuse: (message: string) => void;
}

export class Turns {
  private queue: (Waiting | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  private queuedBytes = 0;
  /** Wall ms per byte taken while backlogged (includes the rest of the loop's work): EWMA. */
  private msPerByte = 0;
  private lastPump = 0;
  private lastPumpBytes = 0;
  /** Since when every request taken has waited past the hard limit (0 = not so). */
  private overSince = 0;

  constructor(private maxWaitMs: number) {}

  get enabled(): boolean {
    return this.maxWaitMs > 0;
  }

  /** Requests waiting for their turn. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** The wait a request arriving now can expect, ms (0 until a drain rate was measured). */
  expectedWait(): number {
    return this.queuedBytes * this.msPerByte;
  }

  /**
   * A refusal when a request arriving now would wait past the limit: do not even read it. The
   * oldest waiting request must have waited a quarter of the limit too, so one slow turn that
   * inflated the drain estimate does not refuse a queue that is in fact moving.
   */
  behind(now = performance.now()): string | undefined {
    if (!this.enabled || this.length === 0) return undefined;
    const w = this.expectedWait();
    if (w <= this.maxWaitMs || now - this.queue[this.head]!.since < this.maxWaitMs / 4) return undefined;
    return this.message(`would wait ${Math.round(w)} ms`);
  }

  /**
   * `work` run in its turn (its result), or `refused(message)` if it waited too long.
   * `bytes`: the request's size, for the drain rate. Disabled (max_queue_wait 0): run at once.
   */
  run<T, R>(bytes: number, work: () => T, refused: (message: string) => R): Promise<T | R> {
    if (!this.enabled) {
      try {
        return Promise.resolve(work());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    bytes = Math.max(bytes, MIN_COST_BYTES);
    return new Promise<T | R>((resolve, reject) => {
      this.queue.push({
        since: performance.now(),
        bytes,
        run: () => {
          try {
            resolve(work());
          } catch (e) {
            reject(e);
          }
        },
        refuse: (m) => resolve(refused(m)),
      });
      this.queuedBytes += bytes;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.pump);
  }

  private pump = (): void => {
    this.scheduled = false;
    const start = performance.now();
    // The wall time since the last turn that took work: what its lastPumpBytes cost the loop.
    if (this.lastPump > 0 && this.lastPumpBytes > 0) {
      const sample = (start - this.lastPump) / this.lastPumpBytes;
      this.msPerByte = this.msPerByte === 0 ? sample : 0.8 * this.msPerByte + 0.2 * sample;
    }
    const hard = 2 * this.maxWaitMs;
    let now = start;
    let taken = 0;
    // The slice counts what decoding sets off after this callback too (the pipeline's
    // synchronous work runs in its microtasks): the measured wall time per byte, at least one.
    while (this.head < this.queue.length && now - start < SLICE_MS && (taken === 0 || taken * this.msPerByte < SLICE_MS)) {
      const w = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      this.queuedBytes -= w.bytes;
      const waited = now - w.since;
      if (waited <= hard) this.overSince = 0;
      else if (this.overSince === 0) this.overSince = now;
      // Refusals cost nothing here; work runs until the slice is used.
      if (waited > hard && now - this.overSince >= this.maxWaitMs / 2) w.refuse(this.message(`waited ${Math.round(waited)} ms`));
      else {
        w.run();
        taken += w.bytes;
        now = performance.now();
      }
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.queuedBytes = 0;
      this.overSince = 0;
    } else if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    // The next turn measures what this one's work cost (its microtasks run in between), even
    // when nothing else waits: a queue drained in one turn would otherwise never be measured.
    this.lastPump = taken > 0 ? start : 0;
    this.lastPumpBytes = taken;
    if (taken > 0 || this.head < this.queue.length) this.schedule();
  };

  private message(what: string): string {
    return `receiver overloaded: a request ${what} to be decoded (admission.max_queue_wait ${this.maxWaitMs} ms); retry later`;
  }
}
