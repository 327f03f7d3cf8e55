/**
 * Go's strconv.FormatFloat(v, 'g', -1, 64), which Prometheus client libraries use for `le` and
 * `quantile` values: bucket labels then match what Prometheus stores from a direct scrape.
 * Shortest digits; exponent form when the exponent is < -4 or >= 6 (e.g. 1e+06, 1e-05).
 */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}
