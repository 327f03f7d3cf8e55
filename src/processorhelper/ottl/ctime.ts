// The ctime-like formats of OTTL's Time() and FormatTime() (the Collector's timeutils table:
// %Y %m %d %H %M %S %L %f %s %z %Z %b %B %a %A %p …), parsed and formatted in UTC, the host's
// zone (Local) or an IANA zone.
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const EXPAND: Record<string, string> = {
  D: '%m/%d/%y', x: '%m/%d/%y', F: '%Y-%m-%d', T: '%H:%M:%S', X: '%H:%M:%S', r: '%I:%M:%S %P', R: '%H:%M', c: '%a %b %d %H:%M:%S %Y',
};

/** Check a zone name; undefined when it is usable. */
export function zoneProblem(tz: string): string | undefined {
  if (tz === '' || tz === 'UTC' || tz === 'Local') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown location "${tz}" (use an IANA name such as Europe/Berlin, UTC or Local)`;
  }
}

function expand(format: string): string {
  return format.replace(/%([DxFTXrRc])/g, (_a, d: string) => EXPAND[d]!);
}

interface Fields {
  year: number; month: number; day: number; hour: number; min: number; sec: number; nanos: number; weekday: number;
  offsetMin: number; abbr: string;
}

/** Offset of a zone from UTC in minutes at an instant. */
function offsetAt(tz: string, ms: number): number {
  if (tz === '' || tz === 'UTC') return 0;
  if (tz === 'Local') return -new Date(ms).getTimezoneOffset();
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

function abbreviation(tz: string, ms: number): string {
  if (tz === '' || tz === 'UTC') return 'UTC';
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz === 'Local' ? undefined : tz, timeZoneName: 'short' })
    .formatToParts(new Date(ms))
    .find((x) => x.type === 'timeZoneName')?.value;
  return name ?? '';
}

/** Calendar fields of an instant in a zone. */
export function timeFields(ns: bigint, tz = 'UTC'): Fields {
  const ms = Number(ns / 1_000_000n) - (ns % 1_000_000n < 0n ? 1 : 0);
  let nanos = Number(ns % 1_000_000_000n);
  if (nanos < 0) nanos += 1e9;
  const off = offsetAt(tz, ms);
  const d = new Date(ms + off * 60_000);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(), nanos, weekday: d.getUTCDay(), offsetMin: off, abbr: abbreviation(tz, ms),
  };
}

const pad = (n: number, w: number, c = '0') => String(n).padStart(w, c);

function zone(off: number, withColon: boolean, parts: 'h' | 'hm' | 'hms'): string {
  const s = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const h = pad(Math.floor(a / 60), 2);
  const m = pad(a % 60, 2);
  if (parts === 'h') return `${s}${h}`;
  if (parts === 'hm') return withColon ? `${s}${h}:${m}` : `${s}${h}${m}`;
  return withColon ? `${s}${h}:${m}:00` : `${s}${h}${m}00`;
}

/** FormatTime: a time in its zone, per the format; throws on a directive it does not know. */
export function formatTime(ns: bigint, format: string, tz = 'UTC'): string {
  const f = timeFields(ns, tz);
  const h12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  const out: Record<string, string> = {
    Y: pad(f.year, 4), y: pad(f.year % 100, 2), m: pad(f.month, 2), o: pad(f.month, 2, ' '), q: String(f.month),
    b: MONTHS[f.month - 1]!.slice(0, 3), h: MONTHS[f.month - 1]!.slice(0, 3), B: MONTHS[f.month - 1]!,
    d: pad(f.day, 2), e: pad(f.day, 2, ' '), g: String(f.day), a: DAYS[f.weekday]!.slice(0, 3), A: DAYS[f.weekday]!,
    H: pad(f.hour, 2), I: pad(h12, 2), l: String(h12), p: f.hour < 12 ? 'AM' : 'PM', P: f.hour < 12 ? 'am' : 'pm',
    M: pad(f.min, 2), S: pad(f.sec, 2), L: pad(Math.floor(f.nanos / 1e6), 3), f: pad(Math.floor(f.nanos / 1e3), 6), s: pad(f.nanos, 9),
    z: zone(f.offsetMin, false, 'hm'), Z: f.abbr, i: zone(f.offsetMin, false, 'h'), j: zone(f.offsetMin, true, 'hm'),
    k: zone(f.offsetMin, true, 'hms'), w: zone(f.offsetMin, false, 'hms'), n: '\n', t: '\t', '%': '%',
  };
  return expand(format).replace(/%(.)?/g, (all, d: string | undefined) => {
    const v = d === undefined ? undefined : out[d];
    if (v === undefined) throw new Error(`format "${format}": unsupported directive ${all}`);
    return v;
  });
}

type Set = (p: Parts, v: string) => void;
interface Parts {
  year: number; month: number; day: number; hour: number; min: number; sec: number; nanos: number;
  pm?: boolean; offsetMin?: number;
}
const monthOf = (v: string): number => MONTHS.findIndex((m) => m.toLowerCase().startsWith(v.toLowerCase()) && (v.length === 3 || m.length === v.length)) + 1;
const offset = (v: string): number => {
  if (v === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?:?(\d{2})?/.exec(v)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
};
const PARSE: Record<string, [string, Set | undefined]> = {
  Y: ['(\\d{4})', (p, v) => (p.year = Number(v))],
  y: ['(\\d{2})', (p, v) => (p.year = Number(v) + (Number(v) >= 69 ? 1900 : 2000))],
  m: ['(\\d{2})', (p, v) => (p.month = Number(v))],
  o: ['\\s?(\\d{1,2})', (p, v) => (p.month = Number(v))],
  q: ['(\\d{1,2})', (p, v) => (p.month = Number(v))],
  b: ['([A-Za-z]{3})', (p, v) => (p.month = monthOf(v))],
  h: ['([A-Za-z]{3})', (p, v) => (p.month = monthOf(v))],
  B: ['([A-Za-z]+)', (p, v) => (p.month = monthOf(v))],
  d: ['(\\d{2})', (p, v) => (p.day = Number(v))],
  e: ['\\s?(\\d{1,2})', (p, v) => (p.day = Number(v))],
  g: ['(\\d{1,2})', (p, v) => (p.day = Number(v))],
  a: ['(?:[A-Za-z]{3})', undefined],
  A: ['(?:[A-Za-z]+)', undefined],
  H: ['(\\d{2})', (p, v) => (p.hour = Number(v))],
  I: ['(\\d{2})', (p, v) => (p.hour = Number(v) % 12)],
  l: ['(\\d{1,2})', (p, v) => (p.hour = Number(v) % 12)],
  p: ['([AaPp][Mm])', (p, v) => (p.pm = v.toLowerCase() === 'pm')],
  P: ['([AaPp][Mm])', (p, v) => (p.pm = v.toLowerCase() === 'pm')],
  M: ['(\\d{2})', (p, v) => (p.min = Number(v))],
  S: ['(\\d{2})', (p, v) => (p.sec = Number(v))],
  L: ['(\\d{3})', (p, v) => (p.nanos = Number(v) * 1e6)],
  f: ['(\\d{6})', (p, v) => (p.nanos = Number(v) * 1e3)],
  s: ['(\\d{9})', (p, v) => (p.nanos = Number(v))],
  z: ['(Z|[+-]\\d{4}(?:\\d{2})?|[+-]\\d{2}:\\d{2})', (p, v) => (p.offsetMin = offset(v))],
  Z: ['([A-Za-z]{1,5}|[+-]\\d{2}(?::?\\d{2})?)', (p, v) => /^[+-]/.test(v) && p.offsetMin === undefined && (p.offsetMin = offset(v))],
  i: ['([+-]\\d{2})', (p, v) => (p.offsetMin = offset(v))],
  j: ['([+-]\\d{2}:\\d{2})', (p, v) => (p.offsetMin = offset(v))],
  k: ['([+-]\\d{2}:\\d{2}:\\d{2})', (p, v) => (p.offsetMin = offset(v))],
  w: ['([+-]\\d{6})', (p, v) => (p.offsetMin = offset(v))],
};
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type TimeParse = (text: string) => bigint;

/** Compile Time()'s format for a zone; returns the reason when the format is not valid. */
export function buildTimeParse(format: string, tz = 'UTC'): TimeParse | string {
  const fmt = expand(format);
  const sets: (Set | undefined)[] = [];
  let re = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      re += escapeRe(c);
      continue;
    }
    const d = fmt[++i];
    if (d === undefined) return `format "${format}" ends with a lone %`;
    if (d === '%' || d === 'n' || d === 't') {
      re += d === '%' ? '%' : d === 'n' ? '\\n' : '\\t';
      continue;
    }
    const spec = PARSE[d];
    if (!spec) return `format "${format}": unsupported directive %${d}`;
    re += spec[0];
    if (spec[1]) sets.push(spec[1]);
  }
  const rx = new RegExp(`^${re}$`, 'i');
  return (text) => {
    const m = rx.exec(text);
    if (!m) throw new Error(`"${text}" does not match the format "${format}"`);
    const p: Parts = { year: 0, month: 1, day: 1, hour: 0, min: 0, sec: 0, nanos: 0 };
    sets.forEach((s, i) => s?.(p, m[i + 1]!));
    if (p.month < 1) throw new Error(`"${text}": unknown month name`);
    if (p.pm) p.hour += 12;
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.min, p.sec);
    const d = new Date(wall);
    if (d.getUTCDate() !== p.day || d.getUTCMonth() !== p.month - 1) throw new Error(`"${text}": day out of range`);
    // Zone from the text, else the location's offset at that wall time.
    const off = p.offsetMin ?? offsetAt(tz, wall - offsetAt(tz, wall) * 60_000);
    return BigInt(wall - off * 60_000) * 1_000_000n + BigInt(p.nanos);
  };
}
