// Online trend model for "time until a resource is full": exponentially weighted least squares
// of usage on [1, t, sin(2πt/day), cos(2πt/day)], with time constant `windowSec`. Old points
// fade instead of being stored; the daily harmonic keeps a day/night cycle out of the slope and
// is added back when finding the first time the limit is reached (a disk that fills at the
// nightly peak is reported at that peak). State per series: 4x4 + 4 + 1 weighted sums and a
// few scalars, ~30 numbers plus typed-array headers (~430 bytes, FORECASTER_BYTES).

const DAY = 86_400;
const K = 4;
/** Prior pulling the daily harmonic to zero until enough of a cycle is seen (ridge, per weight). */
const RIDGE = 0.05;

export interface Forecast {
  /** Seconds until usage reaches the limit; Infinity when not growing. */
  seconds: number;
  /** 0..1: how well the slope is determined (1 - its relative standard error). */
  confidence: number;
  /** Trend of usage in units per second. */
  slope: number;
}

function features(u: number, out: Float64Array): void {
  out[0] = 1;
  out[1] = u;
  out[2] = Math.sin(2 * Math.PI * u);
  out[3] = Math.cos(2 * Math.PI * u);
}

/** Solves m x = b for a small dense system (Gaussian elimination, partial pivoting). */
function solve(m: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const a = m.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) return undefined;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

export class TrendForecaster {
  private xtx = new Float64Array(K * K);
  private xty = new Float64Array(K);
  private yy = 0;
  private w = 0;
  private t0 = NaN;
  private tLast = NaN;
  private n = 0;
  private f = new Float64Array(K);

  constructor(private windowSec: number) {}

  get count(): number {
    return this.n;
  }

  update(tSec: number, x: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(tSec)) return;
    if (!Number.isNaN(this.tLast) && tSec <= this.tLast) return; // retried or out of order: ignore
    if (Number.isNaN(this.t0)) this.t0 = tSec;
    const k = Number.isNaN(this.tLast) ? 1 : Math.exp(-(tSec - this.tLast) / this.windowSec);
    // Time in days from the first point keeps the sums well conditioned.
    features((tSec - this.t0) / DAY, this.f);
    for (let i = 0; i < K; i++) {
      this.xty[i] = this.xty[i]! * k + this.f[i]! * x;
      for (let j = 0; j < K; j++) this.xtx[i * K + j] = this.xtx[i * K + j]! * k + this.f[i]! * this.f[j]!;
    }
    this.yy = this.yy * k + x * x;
    this.w = this.w * k + 1;
    this.tLast = tSec;
    this.n++;
  }

  /** Coefficients [level at t0, per-day slope, sin, cos] and the slope's standard error. */
  private fit(): { c: number[]; se: number } | undefined {
    if (this.n < 3) return undefined;
    // Under a day of data a daily harmonic is indistinguishable from the slope: fit a line only.
    const k = this.tLast - this.t0 >= DAY ? K : 2;
    const m: number[][] = [];
    for (let i = 0; i < k; i++) {
      m.push([]);
      for (let j = 0; j < k; j++) m[i]!.push(this.xtx[i * K + j]! + (i === j && i >= 2 ? RIDGE * this.w : 0));
    }
    const c = solve(m, [...this.xty].slice(0, k));
    if (!c) return undefined;
    // Residual variance: (yy - 2 c.xty + c' X'X c) / (w - k).
    let rss = this.yy;
    for (let i = 0; i < k; i++) {
      rss -= 2 * c[i]! * this.xty[i]!;
      for (let j = 0; j < k; j++) rss += c[i]! * c[j]! * this.xtx[i * K + j]!;
    }
    const s2 = Math.max(0, rss) / Math.max(this.w - k, 1e-9);
    const e1 = solve(m, [0, 1, 0, 0].slice(0, k));
    const se = e1 ? Math.sqrt(Math.max(0, s2 * e1[1]!)) : Infinity;
    while (c.length < K) c.push(0);
    return { c, se };
  }

  /** Time from the latest point until usage (line + daily cycle) first reaches `limit`. */
  forecast(limit: number): Forecast | undefined {
    const fit = this.fit();
    if (!fit) return undefined;
    const [c0, c1, c2, c3] = fit.c as [number, number, number, number];
    const slope = c1 / DAY;
    const confidence = c1 > 0 ? Math.max(0, Math.min(1, 1 - fit.se / c1)) : 0;
    if (!(c1 > 0)) return { seconds: Infinity, confidence, slope };
    const now = (this.tLast - this.t0) / DAY;
    const at = (u: number): number => c0 + c1 * u + c2 * Math.sin(2 * Math.PI * u) + c3 * Math.cos(2 * Math.PI * u);
    const amp = Math.hypot(c2, c3);
    const level = c0 + c1 * now;
    // Between the crossings of the line raised and lowered by the amplitude, scan for the first
    // time the full curve reaches the limit.
    const from = Math.max(0, (limit - level - amp) / c1);
    const to = Math.max(0, (limit - level + amp) / c1);
    let days = Math.max(0, (limit - level) / c1);
    if (amp > 0 && to > from) {
      const step = Math.max(1 / 96, (to - from) / 400);
      for (let d = from; d <= to + step; d += step)
        if (at(now + d) >= limit) {
          days = d;
          break;
        }
    }
    return { seconds: days * DAY, confidence, slope };
  }
}

/** Approximate bytes of state per series, for the README and the memory bound. */
export const FORECASTER_BYTES = (K * K + 2 * K + 6) * 8 + 3 * 64;
