// Small synchronous readers for /proc and /sys. These files live in memory, so a synchronous
// read into one reused buffer is cheaper than the async path (no thread-pool hop, no
// per-read Buffer) and never blocks on disk.
import { closeSync, openSync, readSync } from 'node:fs';

let buf = Buffer.allocUnsafe(64 * 1024);

/** Whole file as text; throws with the path in the message when it cannot be read. */
export function readText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    return buf.toString('utf8', 0, len);
  } finally {
    closeSync(fd);
  }
}

/** Like readText but undefined when the file is absent or unreadable (optional sources). */
export function tryReadText(path: string): string | undefined {
  try {
    return readText(path);
  } catch {
    return undefined;
  }
}
