// Timestamp parsing for the `timestamp` block of parsers and the time_parser operator:
// strptime layouts (compiled once to a regex), Go reference layouts (translated to
// strptime) and epoch layouts (s, ms, us, ns, s.ms, s.us, s.ns). Result in ns since epoch.
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTHS_LONG = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

type Setter = (p: Parts, v: string) => void;
interface Parts {
  year?: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nanos: number;
  pm?: boolean;
  offsetMin?: number;
  yday?: number;
}

const DIRECTIVES: Record<string, [string, Setter | undefined]> = {
  Y: ['([+-]?\\d{4})', (p, v) => (p.year = Number(v))],
  y: ['(\\d{2})', (p, v) => (p.year = 2000 + Number(v) - (Number(v) > 68 ? 100 : 0))],
  m: ['(\\d{1,2})', (p, v) => (p.month = Number(v))],
  d: ['(\\d{1,2})', (p, v) => (p.day = Number(v))],
  e: ['\\s?(\\d{1,2})', (p, v) => (p.day = Number(v))],
  H: ['(\\d{1,2})', (p, v) => (p.hour = Number(v))],
  I: ['(\\d{1,2})', (p, v) => (p.hour = Number(v) % 12)],
  M: ['(\\d{1,2})', (p, v) => (p.min = Number(v))],
  S: ['(\\d{1,2})', (p, v) => (p.sec = Number(v))],
  f: ['(\\d{1,9})', (p, v) => (p.nanos = Number(v.padEnd(9, '0')))],
  L: ['(\\d{3})', (p, v) => (p.nanos = Number(v) * 1e6)],
  s: ['(\\d+)', undefined],
  j: ['(\\d{1,3})', (p, v) => (p.yday = Number(v))],
  p: ['([AaPp][Mm])', (p, v) => (p.pm = v.toLowerCase() === 'pm')],
  b: ['([A-Za-z]{3})', (p, v) => (p.month = MONTHS.indexOf(v.toLowerCase()) + 1)],
  h: ['([A-Za-z]{3})', (p, v) => (p.month = MONTHS.indexOf(v.toLowerCase()) + 1)],
  B: ['([A-Za-z]+)', (p, v) => (p.month = MONTHS_LONG.indexOf(v.toLowerCase()) + 1)],
  a: ['(?:[A-Za-z]{3})', undefined],
  A: ['(?:[A-Za-z]+)', undefined],
  z: ['(Z|[+-]\\d{2}:?\\d{2})', (p, v) => (p.offsetMin = parseOffset(v))],
  Z: ['([A-Za-z]{1,5}|[+-]\\d{2}:?\\d{2})', (p, v) => (p.offsetMin = zoneOffset(v))],
};
const SHORTHANDS: Record<string, string> = { T: '%H:%M:%S', D: '%m/%d/%y', F: '%Y-%m-%d', R: '%H:%M' };

function parseOffset(v: string): number {
  if (v === 'Z' || v === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(v)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function zoneOffset(v: string): number | undefined {
  if (/^[+-]/.test(v)) return parseOffset(v);
  return /^(UTC|GMT|Z|UT)$/i.test(v) ? 0 : undefined;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type LayoutType = 'strptime' | 'gotime' | 'epoch';

export interface TimeParser {
  /** Nanoseconds since the epoch; throws with a clear message when the value does not fit. */
  parse(v: unknown): bigint;
}

/** Go reference-time layout -> strptime. */
export function goToStrptime(layout: string): string {
  const tokens: [string, string][] = [
    ['January', '%B'], ['Monday', '%A'], ['Z07:00', '%z'], ['-07:00', '%z'], ['Z0700', '%z'], ['-0700', '%z'],
    ['.000000000', '.%f'], ['.999999999', '.%f'], ['.000000', '.%f'], ['.999999', '.%f'], ['.000', '.%f'], ['.999', '.%f'],
    ['2006', '%Y'], ['Jan', '%b'], ['Mon', '%a'], ['MST', '%Z'], ['_2', '%e'], ['01', '%m'], ['02', '%d'], ['15', '%H'],
    ['03', '%I'], ['04', '%M'], ['05', '%S'], ['06', '%y'], ['PM', '%p'], ['pm', '%p'], ['1', '%m'], ['2', '%d'], ['3', '%I'],
    ['4', '%M'], ['5', '%S'],
  ];
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    for (const [t, r] of tokens) {
      if (layout.startsWith(t, i)) {
        out += r;
        i += t.length;
        continue outer;
      }
    }
    out += layout[i] === '%' ? '%%' : layout[i];
    i++;
  }
  return out;
}

/** Offset of `tz` from UTC, in minutes, at the given instant (Intl knows the IANA rules). */
function tzOffsetMinutes(tz: string, utcMs: number): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

export function buildTimeParser(layoutType: LayoutType, layout: string, location?: string): TimeParser | string {
  if (location !== undefined && location !== 'UTC' && location !== 'Local') {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: location });
    } catch {
      return `unknown location "${location}" (use an IANA name such as Europe/Berlin, UTC or Local)`;
    }
  }
  if (layoutType === 'epoch') return buildEpoch(layout);
  const fmt = layoutType === 'gotime' ? goToStrptime(layout) : layout;
  const setters: (Setter | undefined)[] = [];
  let re = '';
  let epochIdx = -1;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      re += c === ' ' ? '\\s+' : escapeRe(c);
      continue;
    }
    const d = fmt[++i];
    if (d === undefined) return `layout "${layout}" ends with a lone %`;
    if (d === '%') {
      re += '%';
      continue;
    }
    if (SHORTHANDS[d]) {
      const sub = buildTimeParser('strptime', SHORTHANDS[d]!);
      if (typeof sub === 'string') return sub;
      // Inline the expansion by rewriting the format.
      return buildTimeParser('strptime', fmt.slice(0, i - 1) + SHORTHANDS[d] + fmt.slice(i + 1), location);
    }
    const spec = DIRECTIVES[d];
    if (!spec) return `layout "${layout}": unsupported directive %${d}`;
    if (d === 's') epochIdx = setters.length;
    re += spec[0];
    if (spec[0].startsWith('(') && !spec[0].startsWith('(?:')) setters.push(spec[1]);
    else if (spec[0].startsWith('\\s?(')) setters.push(spec[1]);
  }
  const rx = new RegExp(`^\\s*${re}\\s*$`);
  return {
    parse(v: unknown): bigint {
      if (typeof v !== 'string') throw new Error(`timestamp: expected a string for layout "${layout}", got ${typeof v}`);
      const m = rx.exec(v);
      if (!m) throw new Error(`timestamp: "${v}" does not match layout "${layout}"`);
      if (epochIdx >= 0) return BigInt(m[epochIdx + 1]!) * 1_000_000_000n;
      const p: Parts = { month: 1, day: 1, hour: 0, min: 0, sec: 0, nanos: 0 };
      setters.forEach((s, i) => s?.(p, m[i + 1]!));
      if (p.pm !== undefined && p.pm) p.hour += 12;
      if (p.month < 1) throw new Error(`timestamp: unknown month in "${v}"`);
      const yearGiven = p.year !== undefined;
      const now = Date.now();
      let year = p.year ?? new Date(now).getUTCFullYear();
      const utcMs = (y: number) =>
        p.yday !== undefined ? Date.UTC(y, 0, p.yday, p.hour, p.min, p.sec) : Date.UTC(y, p.month - 1, p.day, p.hour, p.min, p.sec);
      let ms = utcMs(year);
      // A year-less stamp (RFC 3164) more than a day ahead is from last year.
      if (!yearGiven && ms - now > 86_400_000) ms = utcMs(--year);
      let off = p.offsetMin;
      if (off === undefined && location !== undefined && location !== 'UTC') {
        off = location === 'Local' ? -new Date(ms).getTimezoneOffset() : tzOffsetMinutes(location, ms);
      }
      ms -= (off ?? 0) * 60_000;
      return BigInt(ms) * 1_000_000n + BigInt(p.nanos);
    },
  };
}

function buildEpoch(layout: string): TimeParser | string {
  const units: Record<string, bigint> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1000n, ns: 1n };
  const frac = /^s\.(ms|us|ns)$/.exec(layout);
  if (!units[layout] && !frac) return `epoch layout must be one of s, ms, us, ns, s.ms, s.us, s.ns; got "${layout}"`;
  return {
    parse(v: unknown): bigint {
      const t = typeof v === 'number' || typeof v === 'bigint' ? String(v) : typeof v === 'string' ? v.trim() : '';
      const m = /^(\d+)(?:\.(\d+))?$/.exec(t);
      if (!m) throw new Error(`timestamp: "${String(v)}" is not an epoch ${layout} value`);
      if (units[layout]) {
        const whole = BigInt(m[1]!) * units[layout]!;
        const digits = m[2] ? m[2].slice(0, 9) : '';
        // A fraction of the unit (e.g. 1.5 s): scale its digits into nanoseconds.
        return whole + (digits ? (BigInt(digits) * units[layout]!) / 10n ** BigInt(digits.length) : 0n);
      }
      return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '0').slice(0, 9).padEnd(9, '0'));
    },
  };
}
