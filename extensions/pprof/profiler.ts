// CPU profiles and heap snapshots of this Node.js process through node:inspector (the V8
// profiler DevTools uses). One at a time: a second request waits for none, it is refused.
import { Session } from 'node:inspector/promises';

export class Profiler {
  private session?: Session;
  private busy: string | undefined;

  private open(): Session {
    if (!this.session) {
      this.session = new Session();
      this.session.connect();
    }
    return this.session;
  }

  /** What is running now (a CPU profile or a snapshot), if anything. */
  get running(): string | undefined {
    return this.busy;
  }

  async startCpu(): Promise<void> {
    if (this.busy) throw new Error(`a ${this.busy} is already running`);
    this.busy = 'CPU profile';
    const s = this.open();
    try {
      await s.post('Profiler.enable');
      await s.post('Profiler.start');
    } catch (e) {
      this.busy = undefined;
      throw e;
    }
  }

  /** The .cpuprofile JSON (Chrome DevTools / speedscope format). */
  async stopCpu(): Promise<string> {
    const s = this.open();
    try {
      const { profile } = await s.post('Profiler.stop');
      await s.post('Profiler.disable');
      return JSON.stringify(profile);
    } finally {
      this.busy = undefined;
    }
  }

  /** Streams a .heapsnapshot in chunks (the process pauses while V8 writes it). */
  async heapSnapshot(write: (chunk: string) => void): Promise<void> {
    if (this.busy) throw new Error(`a ${this.busy} is already running`);
    this.busy = 'heap snapshot';
    const s = this.open();
    const onChunk = (m: { params: { chunk: string } }) => write(m.params.chunk);
    s.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
    try {
      await s.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    } finally {
      s.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
      this.busy = undefined;
    }
  }

  close(): void {
    this.session?.disconnect();
    this.session = undefined;
  }
}
