// Parsers for the text layouts /proc uses (key/value, whitespace tables, snmp pairs).

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
  const rows = text.split('\n');
  for (let i = 0; i + 1 < rows.length; i += 2) {
    const names = rows[i]!.split(/\s+/);
    const vals = rows[i + 1]!.split(/\s+/);
    const prefix = names[0]!.replace(/:$/, '');
    for (let j = 1; j < names.length && j < vals.length; j++) if (names[j]) out.set(`${prefix}.${names[j]}`, Number(vals[j]));
  }
  return out;
}

/** Decodes the octal escapes /proc/mounts uses for spaces, tabs, newlines and backslashes. */
export function unescapeOctal(s: string): string {
  return s.indexOf('\\') < 0 ? s : s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Kernel ticks per second in /proc (USER_HZ); fixed at 100 by the kernel ABI on Linux. */
export const USER_HZ = 100;

/** The first number of the `key` line of /proc/stat (ctxt, intr, processes, procs_running, ...). */
export function statField(procStat: string, key: string): number | undefined {
  const m = new RegExp(`^${key} (\\d+)`, 'm').exec(procStat);
  return m ? Number(m[1]) : undefined;
}

/** Boot time in ns since the epoch from `btime` in /proc/stat. */
export function bootTimeNanos(procStat: string): bigint {
  const m = /^btime (\d+)$/m.exec(procStat);
  return m ? BigInt(m[1]!) * 1_000_000_000n : 0n;
}

/** uid -> user name from an /etc/passwd text. */
export function parsePasswd(text: string | undefined): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of (text ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length > 2) users.set(Number(f[2]), f[0]!);
  }
  return users;
}
