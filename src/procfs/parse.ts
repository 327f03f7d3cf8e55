// Parsers for the text layouts /proc uses (key/value, whitespace tables, snmp pairs).

/** `key value [kB]` files such as /proc/meminfo and /proc/vmstat; kB values become bytes. */
export function parseKeyValues(text: string, scaleKb = false): Map<string, number> {
  const out = new Map<string, number>();
  const len = text.length;
  let start = 0;
  // Scans by char code (no regexp, no per-line string but the key and the number).
  while (start < len) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = len;
    let sep = start;
    for (let c = text.charCodeAt(sep); sep < end && c !== 58 && c !== 32 && c !== 9; c = text.charCodeAt(++sep));
    if (sep > start && sep < end) {
      let v = sep + 1;
      while (v < end && isBlank(text.charCodeAt(v))) v++;
      let e = v;
      while (e < end && !isBlank(text.charCodeAt(e))) e++;
      const n = Number(text.slice(v, e));
      if (v < e && !Number.isNaN(n)) {
        let last = end;
        while (last > v && isBlank(text.charCodeAt(last - 1))) last--;
        const kb = scaleKb && last - v >= 2 && text.charCodeAt(last - 2) === 107 && text.charCodeAt(last - 1) === 66; // "kB"
        out.set(text.slice(start, sep), kb ? n * 1024 : n);
      }
    }
    start = end + 1;
  }
  return out;
}

const isBlank = (c: number) => c === 32 || c === 9 || c === 13;

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

const statFieldRe = new Map<string, RegExp>();

/** The first number of the `key` line of /proc/stat (ctxt, intr, processes, procs_running, ...). */
export function statField(procStat: string, key: string): number | undefined {
  let re = statFieldRe.get(key);
  if (!re) statFieldRe.set(key, (re = new RegExp(`^${key} (\\d+)`, 'm')));
  const m = re.exec(procStat);
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
