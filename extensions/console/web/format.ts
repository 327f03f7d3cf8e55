// Numbers, durations and times as an administrator reads them.
export type Unit = 'percent' | 'bytes' | 'bytes/s' | 'seconds' | 'ops/s' | 'items/s' | 'count' | 'ratio' | '';

const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function scaled(v: number, base: number, names: string[]): string {
  let i = 0;
  let x = Math.abs(v);
  while (x >= base && i < names.length - 1) {
    x /= base;
    i++;
  }
  const digits = x >= 100 ? 0 : x >= 10 ? 1 : 2;
  return `${v < 0 ? '-' : ''}${x.toFixed(digits)}${names[i]}`;
}

export function fmt(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'percent':
      return `${v.toFixed(Math.abs(v) >= 10 ? 1 : 2)}%`;
    case 'ratio':
      return `${(v * 100).toFixed(2)}%`;
    case 'bytes':
      return scaled(v, 1024, IEC).replace(/(\d)([KMGTP]?i?B)$/, '$1 $2');
    case 'bytes/s':
      return `${scaled(v, 1024, IEC).replace(/(\d)([KMGTP]?i?B)$/, '$1 $2')}/s`;
    case 'seconds':
      return duration(v);
    case 'ops/s':
    case 'items/s':
      return `${scaled(v, 1000, SI)}/s`;
    default:
      return Math.abs(v) >= 1000 ? scaled(v, 1000, SI) : String(Number(v.toPrecision(4)));
  }
}

export function duration(sec: number): string {
  if (!Number.isFinite(sec)) return '∞';
  const a = Math.abs(sec);
  if (a < 1) return `${(sec * 1000).toFixed(a < 0.01 ? 2 : 0)} ms`;
  if (a < 60) return `${sec.toFixed(a < 10 ? 1 : 0)} s`;
  if (a < 3600) return `${Math.floor(a / 60)}m ${Math.floor(a % 60)}s`;
  if (a < 86400) return `${Math.floor(a / 3600)}h ${Math.floor((a % 3600) / 60)}m`;
  return `${Math.floor(a / 86400)}d ${Math.floor((a % 86400) / 3600)}h`;
}

export function since(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '–' : duration((now - t) / 1000);
}

export function clock(ms: number, withDate = false): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const t = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return withDate ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${t}` : t;
}

/** `5m`, `1h`, `7d` → seconds. */
export function parseDur(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(s.trim());
  if (!m) return undefined;
  const mult = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 'ms'];
  return Number(m[1]) * mult;
}

export function durText(sec: number): string {
  for (const [n, u] of [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']] as const) if (sec >= n && sec % n === 0) return `${sec / n}${u}`;
  return `${sec}s`;
}

export function labelText(labels: Record<string, string>, skip: readonly string[] = []): string {
  return Object.entries(labels)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
}
