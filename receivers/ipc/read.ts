// Tiny synchronous /proc reader (these files live in memory; a reused buffer keeps it cheap).
import { closeSync, openSync, readSync } from 'node:fs';

let buf = Buffer.allocUnsafe(64 * 1024);

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

export function tryReadText(path: string): string | undefined {
  try {
    return readText(path);
  } catch {
    return undefined;
  }
}

/** Rows of a whitespace table with a header line, as arrays of fields. */
export function table(text: string | undefined): string[][] {
  if (!text) return [];
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.split(/\s+/));
}

/** /proc/net/snmp and /proc/net/netstat: pairs of "Prefix: names" / "Prefix: values" lines. */
export function parseSnmp(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!text) return out;
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i]!.split(/\s+/);
    const vals = lines[i + 1]!.split(/\s+/);
    const prefix = names[0]!.replace(/:$/, '');
    for (let j = 1; j < names.length && j < vals.length; j++) if (names[j]) out.set(`${prefix}.${names[j]}`, Number(vals[j]));
  }
  return out;
}
