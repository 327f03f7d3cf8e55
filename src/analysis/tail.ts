// Calibrates one raw anomaly measure of one series into a surprisal, -log10 of the probability
// of a value at least this large under that series' own recent history: peaks over threshold
// (Siffer et al., KDD 2017) in streaming form. A high quantile u of the raw values is tracked by
// stochastic approximation, and the excesses over u by a generalised Pareto tail whose shape and
// scale come from running moments. Surprisal then means the same on a quiet and on a noisy,
// heavy-tailed series. 8 numbers of state.

/** Quantile whose exceedances form the tail. 0.98: one exceedance in 50 points is enough for
 *  the tail moments to settle within a few hundred points, and far enough out for the tail
 *  form to hold. */
const Q = 0.98;
const TAIL_SURPRISAL = -Math.log10(1 - Q);
/** Points over which the quantile and tail moments adapt (about 3.5 days of 5-minute data). */
const MEMORY = 1000;
/** The GPD shape is kept in [0, MAX_SHAPE]: no bounded tails (a value past the end point would be
 *  infinitely surprising), no tails so heavy that nothing is ever surprising. */
const MAX_SHAPE = 0.4;
/** Points before the first estimate of the quantile. */
const WARMUP = 30;

export class TailCalibrator {
  private n = 0;
  private mean = 0;
  private dev = 0;
  private u = NaN;
  private m1 = 0; // EW mean of excesses
  private m2 = 0; // EW mean of squared excesses
  private exceed = 0;

  /** Surprisal of `r` under what has been learnt so far; 0 while warming up. */
  surprisal(r: number): number {
    if (Number.isNaN(this.u)) return 0;
    if (r <= this.u) return this.u > 0 && r > 0 ? (TAIL_SURPRISAL * r) / this.u : 0;
    const y = r - this.u;
    const scale = Math.max(this.m1, this.dev * 0.05, 1e-12);
    let shape = 0;
    let sigma = scale;
    if (this.exceed >= 8) {
      const v = this.m2 - this.m1 * this.m1;
      if (v > 0) shape = Math.min(MAX_SHAPE, Math.max(0, 0.5 * (1 - (this.m1 * this.m1) / v)));
      sigma = scale * (1 - shape);
    }
    const logSf = shape > 1e-6 ? (-1 / shape) * Math.log1p((shape * y) / sigma) : -y / sigma;
    return TAIL_SURPRISAL - logSf / Math.LN10;
  }

  update(r: number): void {
    if (!Number.isFinite(r)) return;
    const n = ++this.n;
    const a = Math.max(1 / MEMORY, 1 / n);
    this.dev += a * (Math.abs(r - this.mean) - this.dev);
    this.mean += a * (r - this.mean);
    if (n < WARMUP) return;
    if (Number.isNaN(this.u)) {
      // Start from the 98% point of a two-sided exponential around the running mean.
      this.u = this.mean + 3.9 * this.dev;
      this.m1 = Math.max(this.dev, 1e-12);
      this.m2 = 2 * this.m1 * this.m1;
      return;
    }
    // Step such that the quantile relaxes over ~n/2 (at most MEMORY/2) points: the drift is
    // eta * f(u) * offset with density f(u) ~ (1 - Q) / tail scale.
    const scale = Math.max(this.m1, this.dev * 0.05, 1e-12);
    const eta = scale / (Math.min(n, MEMORY) * 0.5 * (1 - Q));
    if (r > this.u) {
      const y = r - this.u;
      this.exceed++;
      const b = Math.max(1 / (MEMORY * (1 - Q)), 1 / this.exceed);
      this.m1 += b * (y - this.m1);
      this.m2 += b * (y * y - this.m2);
      this.u += eta * Q;
    } else this.u -= eta * (1 - Q);
  }

  get count(): number {
    return this.n;
  }
}

/** Heap bytes of one calibrator (8 doubles + object header). */
export const TAIL_BYTES = 8 * 8 + 32;
