// PromQL durations (Prometheus model.ParseDuration): units y w d h m s ms, each at most once, in
// that order, integer amounts; "0" alone is allowed.

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Milliseconds, or an error message. */
export function parseDuration(s: string): number | string {
  if (s === '0') return 0;
  const m = s === '' ? null : DURATION_RE.exec(s);
  if (!m) return `not a valid duration string: "${s}"`;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) ms += Number(g) * UNIT_MS[i]!;
  }
  if (!Number.isSafeInteger(ms)) return 'duration out of range';
  return ms;
}

/** The canonical form Prometheus prints (`1h30m`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out = '';
  const units: [number, string][] = [[365 * 86_400_000, 'y'], [7 * 86_400_000, 'w'], [86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's'], [1, 'ms']];
  for (const [u, name] of units) {
    if (rest >= u) {
      const n = Math.floor(rest / u);
      out += `${n}${name}`;
      rest -= n * u;
    }
  }
  return neg ? `-${out}` : out;
}
