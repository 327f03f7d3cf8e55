// Measuring a process from outside: CPU seconds from /proc/<pid>/stat, lines in a growing file.
import { openSync, readSync, closeSync, statSync, existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

/** User + system CPU seconds of a process (and its reaped children). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3; utime=14, stime=15, cutime=16, cstime=17 (1-based).
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
}

/** Counts newlines in a file as it grows, reading only the new bytes. */
export class LineCounter {
  private pos = 0;
  lines = 0;
  private buf = Buffer.allocUnsafe(1 << 20);
  constructor(readonly path: string) {}
  update(): number {
    if (!existsSync(this.path)) return this.lines;
    const size = statSync(this.path).size;
    if (size <= this.pos) return this.lines;
    const fd = openSync(this.path, 'r');
    try {
      while (this.pos < size) {
        const n = readSync(fd, this.buf, 0, Math.min(this.buf.length, size - this.pos), this.pos);
        if (n <= 0) break;
        for (let i = this.buf.indexOf(10, 0); i >= 0 && i < n; i = this.buf.indexOf(10, i + 1)) this.lines++;
        this.pos += n;
      }
    } finally {
      closeSync(fd);
    }
    return this.lines;
  }
}

export interface Result {
  name: string;
  lines: number;
  seconds: number;
  cpu: number;
}

/** Polls `done` every 50 ms; returns elapsed wall seconds and CPU seconds of `pid` meanwhile. */
export async function measure(pid: number, kick: () => void, done: () => Promise<boolean> | boolean, timeoutS: number): Promise<{ seconds: number; cpu: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  kick();
  const limit = t0 + timeoutS * 1000;
  while (!(await done())) {
    if (performance.now() > limit) throw new Error(`not finished after ${timeoutS}s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds(pid) - c0 };
}
