// HTM's anomaly likelihood (Ahmad et al., Neurocomputing 2017) over a raw measure: the mean of
// the last WINDOW raw values against the long-run mean and spread of the raw values, as a
// Gaussian tail probability. A sustained moderate change then counts as much as one wild point,
// and a noisy series needs a larger change than a quiet one.

/** Points averaged: 8 (HTM uses 10); one point alone raised false alarms on spikes. */
const WINDOW = 8;
/** Long-run memory of the raw statistics (about 5 days of 5-minute data). */
const MEMORY = 1500;
/** Points whose raw values (untrained predictors) stay out of the long-run statistics. */
export const BURN_IN = 10;
/** Smallest spread: a perfectly predicted series must not make the first wobble certain. */
const MIN_SD = 0.03;

export function normTail(z: number): number {
  // Upper tail of the standard normal (Abramowitz-Stegun 7.1.26 on erfc).
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = y * Math.exp(-(z * z) / 2);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

export class WindowLikelihood {
  private ring = new Float32Array(WINDOW);
  private sum = 0;
  private n = 0;
  private mean = 0;
  private var = 0;

  /** Tail probability of the current window mean, including `raw`; then learns `raw`. */
  update(raw: number): number {
    const slot = this.n % WINDOW;
    this.sum += raw - this.ring[slot]!;
    this.ring[slot] = raw;
    const sd = Math.max(Math.sqrt(this.var), MIN_SD);
    const mu = this.mean;
    if (this.n >= BURN_IN) {
      const a = Math.max(1 / MEMORY, 1 / (this.n - BURN_IN + 1));
      const d = raw - this.mean;
      this.mean += a * d;
      this.var = (1 - a) * (this.var + a * d * d);
    }
    this.n++;
    return normTail((this.sum / Math.min(this.n, WINDOW) - mu) / sd);
  }
}

export const LIKELIHOOD_BYTES = WINDOW * 4 + 5 * 8 + 2 * 64;
