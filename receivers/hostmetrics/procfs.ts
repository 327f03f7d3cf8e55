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

/** `key value [kB]` files such as /proc/meminfo and /proc/vmstat; kB values become bytes. */
export function parseKeyValues(text: string, scaleKb = false): Map<string, number> {
  const out = new Map<string, number>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    const sep = line.search(/[:\s]/);
    if (sep <= 0) continue;
    const rest = line.slice(sep + 1).trim();
    const sp = rest.indexOf(' ');
    const n = Number(sp < 0 ? rest : rest.slice(0, sp));
    if (Number.isNaN(n)) continue;
    out.set(line.slice(0, sep), scaleKb && rest.endsWith('kB') ? n * 1024 : n);
  }
  return out;
}

/** Lines split on runs of whitespace, empty lines dropped. */
export function fields(line: string): string[] {
  return line.trim().split(/\s+/);
}

export function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/** Decodes the octal escapes /proc/mounts uses for spaces, tabs, newlines and backslashes. */
export function unescapeOctal(s: string): string {
  return s.indexOf('\\') < 0 ? s : s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Kernel ticks per second in /proc (USER_HZ); fixed at 100 by the kernel ABI on Linux. */
export const USER_HZ = 100;

/** Boot time in ns since the epoch from `btime` in /proc/stat. */
export function bootTimeNanos(procStat: string): bigint {
  const m = /^btime (\d+)$/m.exec(procStat);
  return m ? BigInt(m[1]!) * 1_000_000_000n : 0n;
}
