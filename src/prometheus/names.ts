// OTLP -> Prometheus name translation, following the OpenTelemetry "Prometheus and
// OpenMetrics compatibility" spec (unit suffixes, `_total`, `_ratio`, sanitizing).

const UNIT_NAMES: Record<string, string> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds',
  ns: 'nanoseconds', By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes',
  TiBy: 'tibibytes', KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  B: 'bytes', KB: 'kilobytes', MB: 'megabytes', GB: 'gigabytes', TB: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams', Cel: 'celsius',
  Hz: 'hertz', '%': 'percent',
};

const PER_UNIT_NAMES: Record<string, string> = {
  s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year',
};

export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Unit tokens to append: `s` -> [seconds], `By/s` -> [bytes, per, second]; `{x}` annotations vanish. */
export function unitTokens(unit: string | undefined): string[] {
  if (!unit) return [];
  const clean = unit.replace(/\{[^}]*\}/g, '').trim();
  if (clean === '' || clean === '1') return [];
  const [main = '', per = ''] = clean.split('/', 2);
  const out: string[] = [];
  const m = UNIT_NAMES[main] ?? (/^[a-zA-Z0-9]+$/.test(main) ? main : '');
  if (m) out.push(m);
  if (per) {
    const p = PER_UNIT_NAMES[per] ?? (/^[a-zA-Z0-9]+$/.test(per) ? per : '');
    if (p) out.push('per', p);
  }
  return out;
}

export interface NameOptions {
  addSuffixes: boolean;
  namespace?: string;
}

export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'summary';

/**
 * Prometheus metric name for an OTLP metric. With suffixes: unit words are appended (once),
 * monotonic sums end in `_total`, gauges of unit `1` end in `_ratio` (a dimensionless gauge is a
 * fraction; a dimensionless counter is a count, so it gets no unit word).
 */
export function metricName(name: string, unit: string | undefined, kind: MetricKind, opts: NameOptions): string {
  let out: string;
  if (opts.addSuffixes) {
    let tokens = name.split(/[^a-zA-Z0-9]+/).filter((t) => t !== '');
    if (kind === 'counter') tokens = tokens.filter((t) => t !== 'total');
    for (const u of unitTokens(unit)) {
      // `per second` style suffixes are compared as a whole so `bytes_per_second` is not doubled.
      if (!tokens.includes(u) || u === 'per') tokens.push(u);
    }
    if (kind === 'gauge' && unit === '1' && tokens[tokens.length - 1] !== 'ratio') tokens.push('ratio');
    if (kind === 'counter') tokens.push('total');
    out = tokens.join('_');
  } else {
    out = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  }
  if (opts.namespace) out = `${sanitizeMetricName(opts.namespace)}_${out}`;
  return sanitizeMetricName(out);
}

export function sanitizeMetricName(n: string): string {
  let out = n.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (out === '') return '_';
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

// Attribute keys repeat in every point: sanitize each once.
const labelNameCache = new Map<string, string>();

/** Label name per spec: invalid characters -> `_`, leading digit -> `key_`, leading `__` reserved -> `key`. */
export function labelName(k: string): string {
  const hit = labelNameCache.get(k);
  if (hit !== undefined) return hit;
  const out = sanitizeLabelName(k);
  if (labelNameCache.size < 10_000) labelNameCache.set(k, out);
  return out;
}

function sanitizeLabelName(k: string): string {
  if (k === '') return '';
  let out = k.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  else if (out.startsWith('__')) out = `key${out}`;
  return out;
}
