// Number formatting and parsing exactly as Prometheus (Go strconv) does it, so results served by
// the console are byte-identical to Prometheus' for the same float.

/**
 * A vector or matrix sample value as Prometheus 2.42's HTTP API writes it (jsoniter): shortest
 * round-trip digits, exponent form below 1e-6 and from 1e21 (JavaScript's own cut-offs) with
 * Go's two-digit exponent (`1e-07`), `+Inf`, `-Inf`, `NaN`, `-0`. Scalars are written
 * differently: see formatFloatF.
 */
export function formatValue(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const exp = s.slice(e + 2);
  return `${s.slice(0, e + 2)}${exp.length < 2 ? `0${exp}` : exp}`;
}

/** Seconds as Go's encoding/json writes a float64 (scalar and string results' timestamps). */
export function formatJsonSeconds(ms: number): string {
  const s = ms / 1000;
  const t = String(s);
  const e = t.indexOf('e');
  if (e < 0) return t;
  const exp = t.slice(e + 2);
  return `${t.slice(0, e + 2)}${exp.length < 2 ? `0${exp}` : exp}`;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent (count_values, scalar results). */
export function formatFloatF(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const s = String(v);
  if (s.indexOf('e') < 0) return s;
  const neg = v < 0;
  const [mant, expStr] = (neg ? s.slice(1) : s).split('e') as [string, string];
  const exp = Number(expStr);
  const digits = mant.replace('.', '');
  const pointAt = (mant.indexOf('.') < 0 ? mant.length : mant.indexOf('.')) + exp;
  let out: string;
  if (pointAt <= 0) out = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return neg ? `-${out}` : out;
}

/** A timestamp in ms as Prometheus' API writes it: seconds with up to three decimals. */
export function formatTimestamp(ms: number): string {
  const neg = ms < 0;
  const a = Math.abs(ms);
  const sec = Math.floor(a / 1000);
  const frac = a - sec * 1000;
  let s = String(sec);
  if (frac !== 0) s += `.${String(frac).padStart(3, '0')}`;
  return neg ? `-${s}` : s;
}

const GO_SPECIAL: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity, nan: NaN };
const DEC_FLOAT = /^[+-]?(?:\d+(?:_\d+)*\.?(?:\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/;

/** Go's strconv.ParseFloat(s, 64) (used for `le` bounds); undefined where Go returns an error. */
export function parseGoFloat(s: string): number | undefined {
  const sp = GO_SPECIAL[s.toLowerCase()];
  if (sp !== undefined) return sp;
  if (DEC_FLOAT.test(s) && !s.includes('_')) return Number(s);
  const h = HEX_FLOAT.exec(s);
  if (h && (h[2]! !== '' || (h[3] ?? '') !== '')) {
    const mant = parseInt(`${h[2]}${h[3] ?? ''}` || '0', 16);
    const v = mant * 2 ** (Number(h[4]) - 4 * (h[3]?.length ?? 0));
    return h[1] === '-' ? -v : v;
  }
  return undefined;
}
