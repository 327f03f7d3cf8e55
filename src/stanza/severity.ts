// Severity text/number -> OpenTelemetry severity number (TRACE=1, DEBUG=5, INFO=9, WARN=13,
// ERROR=17, FATAL=21; the "2".."4" variants add 1..3), with the Collector's mapping syntax:
// a level name maps to a value, a list of values, or {min, max} / "2xx" ranges of numbers.
const LEVELS: Record<string, number> = {};
const BASE: [string, number][] = [
  ['trace', 1],
  ['debug', 5],
  ['info', 9],
  ['warn', 13],
  ['error', 17],
  ['fatal', 21],
];
for (const [name, n] of BASE) for (let i = 0; i < 4; i++) LEVELS[i === 0 ? name : `${name}${i + 1}`] = n + i;

/** The default preset: common level words, case-insensitive. */
const DEFAULTS: Record<string, number> = {
  trace: 1,
  debug: 5,
  dbg: 5,
  info: 9,
  information: 9,
  informational: 9,
  notice: 10,
  warn: 13,
  warning: 13,
  err: 17,
  error: 17,
  crit: 18,
  critical: 18,
  alert: 19,
  emerg: 21,
  emergency: 21,
  fatal: 21,
  panic: 21,
};

export interface SeverityMapper {
  map(v: unknown): number | undefined;
}

interface Range {
  min: number;
  max: number;
  sev: number;
}

export function buildSeverityMapper(mapping: Record<string, unknown> | undefined, preset: 'default' | 'none'): SeverityMapper | string {
  const exact = new Map<string, number>(preset === 'default' ? Object.entries(DEFAULTS) : []);
  const ranges: Range[] = [];
  for (const [level, spec] of Object.entries(mapping ?? {})) {
    const sev = LEVELS[level.toLowerCase()];
    if (sev === undefined) return `severity mapping: unknown level "${level}" (use ${Object.keys(LEVELS).join(', ')})`;
    for (const v of Array.isArray(spec) ? spec : [spec]) {
      if (typeof v === 'string' || typeof v === 'number') {
        const hundreds = typeof v === 'string' ? /^([1-5])xx$/.exec(v) : null;
        if (hundreds) ranges.push({ min: Number(hundreds[1]) * 100, max: Number(hundreds[1]) * 100 + 99, sev });
        else exact.set(String(v).toLowerCase(), sev);
      } else if (typeof v === 'object' && v !== null && 'min' in v && 'max' in v) {
        const r = v as { min: unknown; max: unknown };
        if (typeof r.min !== 'number' || typeof r.max !== 'number') return `severity mapping for ${level}: min and max must be numbers`;
        ranges.push({ min: r.min, max: r.max, sev });
      } else return `severity mapping for ${level}: expected a value, a list, or {min, max}`;
    }
  }
  return {
    map(v: unknown): number | undefined {
      if (v === undefined || v === null) return undefined;
      const key = String(v).trim().toLowerCase();
      const hit = exact.get(key);
      if (hit !== undefined) return hit;
      const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : /^-?\d+$/.test(key) ? Number(key) : NaN;
      if (!Number.isNaN(n)) for (const r of ranges) if (n >= r.min && n <= r.max) return r.sev;
      return undefined;
    },
  };
}

/** Syslog severities 0 (emergency) .. 7 (debug) -> OTel numbers. */
export const SYSLOG_SEVERITY = [21, 19, 18, 17, 13, 10, 9, 5] as const;
export const SYSLOG_SEVERITY_TEXT = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
