// Forecast-error measures of one series.
//  - `update` returns the point error: five predictors (last value, fast and slow EWMA, daily
//    and weekly per-slot profiles), each with its own running error scale, averaged with weights
//    from each model's track record (1 / MAE^2), so the model that explains the series best
//    (e.g. the daily profile) has the most say; values beyond the range seen so far count as
//    errors of at least 3.
//  - `level` is the level shift: the median of the last 5 points against a slow baseline of such
//    medians, in units of its usual deviation. The median ignores one- and two-point spikes, so a
//    series with routine spikes still shows a sustained shift, which the point error (its best
//    predictor adapts within a few points) understates.
// State: 2 profiles x (48 + 168) slots x 3 Float32 = 2.6 KB plus ~30 numbers.

const DAY_SLOTS = 48; // 30-minute slots
const WEEK_SLOTS = 168; // hourly slots
/** Per-predictor normalised error cap: one wild model must not decide alone. */
/** Per-predictor normalised error cap: one wild model must not decide alone. */
const ERR_CAP = 10;
/** Points the level baseline averages over (8 hours of 5-minute data). */
const LEVEL_BASELINE = 100;
/** Points the level's usual deviation averages over. */
const LEVEL_SPREAD = 500;
/** Points before the range (for novelty) is trusted. */
const BURN_IN = 10;

/** Per-slot EW mean and EW absolute deviation: seasonality without storing history. */
class Profile {
  private mean: Float32Array;
  private dev: Float32Array;
  private hits: Float32Array;
  constructor(
    readonly slots: number,
    private periodSec: number,
  ) {
    this.mean = new Float32Array(slots);
    this.dev = new Float32Array(slots);
    this.hits = new Float32Array(slots);
  }
  slot(tSec: number): number {
    const p = ((tSec % this.periodSec) + this.periodSec) % this.periodSec;
    return Math.floor((p / this.periodSec) * this.slots);
  }
  /** Normalised error against this slot, or undefined while the slot is young. */
  error(slot: number, x: number, floor: number): number | undefined {
    if (this.hits[slot]! < 2) return undefined;
    return Math.abs(x - this.mean[slot]!) / Math.max(this.dev[slot]!, floor);
  }
  expect(slot: number): number | undefined {
    return this.hits[slot]! >= 2 ? this.mean[slot] : undefined;
  }
  update(slot: number, x: number): void {
    const h = this.hits[slot]!;
    if (h === 0) {
      this.mean[slot] = x;
      this.hits[slot] = 1;
      return;
    }
    const a = Math.max(0.1, 1 / (h + 1));
    const d = Math.abs(x - this.mean[slot]!);
    this.dev[slot] = h === 1 ? d : this.dev[slot]! + a * (d - this.dev[slot]!);
    this.mean[slot] = this.mean[slot]! + a * (x - this.mean[slot]!);
    this.hits[slot] = Math.min(h + 1, 1e6);
  }
}

/** EWMA predictor with an EW mean-absolute-error scale. */
class Ewma {
  mean = NaN;
  mae = 0;
  constructor(private alpha: number) {}
  error(x: number, floor: number): number | undefined {
    if (Number.isNaN(this.mean)) return undefined;
    return Math.abs(x - this.mean) / Math.max(this.mae, floor);
  }
  update(x: number, n: number): void {
    if (Number.isNaN(this.mean)) {
      this.mean = x;
      return;
    }
    const a = Math.max(this.alpha, 1 / (n + 1));
    this.mae += a * (Math.abs(x - this.mean) - this.mae);
    this.mean += this.alpha * (x - this.mean);
  }
}

export class ForecastError {

  private n = 0;
  private last = NaN;
  private lastErr = 0;
  private fast = new Ewma(0.3);
  private slow = new Ewma(0.02);
  private day = new Profile(DAY_SLOTS, 86_400);
  private week = new Profile(WEEK_SLOTS, 7 * 86_400);
  private dayMae = 0;
  private weekMae = 0;
  min = Infinity;
  max = -Infinity;
  private firstT = NaN;
  /** Novelty of the last point: how far beyond the range seen before, relative to that range. */
  beyond = 0;
  /** Level-shift measure of the last point (see the file comment). */
  level = 0;
  private med = new Float32Array(5);
  private sorted = new Float32Array(5);
  private medBase = NaN;
  private medDev = 0;
  private medN = 0;

  /** Raw error of `x` at `tSec`, then learns it. */
  update(tSec: number, x: number): number {
    if (Number.isNaN(this.firstT)) this.firstT = tSec;
    const span = tSec - this.firstT;
    const range = this.max - this.min;
    // Errors below a tiny fraction of the range are noise; avoids 0/0 on flat series.
    const floor = Math.max(1e-9, Number.isFinite(range) ? range * 1e-3 : 0, Math.abs(this.slow.mean || 0) * 1e-6);
    let wSum = 0;
    let eSum = 0;
    const add = (e: number | undefined, mae: number): void => {
      if (e === undefined) return;
      const m = Math.max(mae, floor);
      const w = 1 / (m * m);
      wSum += w;
      eSum += w * Math.min(e, ERR_CAP);
    };
    if (!Number.isNaN(this.last)) add(Math.abs(x - this.last) / Math.max(this.lastErr, floor), this.lastErr);
    add(this.fast.error(x, floor), this.fast.mae);
    add(this.slow.error(x, floor), this.slow.mae);
    const ds = this.day.slot(tSec);
    const ws = this.week.slot(tSec);
    add(span >= 2 * 86_400 ? this.day.error(ds, x, floor) : undefined, this.dayMae);
    add(span >= 14 * 86_400 ? this.week.error(ws, x, floor) : undefined, this.weekMae);
    let err = wSum > 0 ? eSum / wSum : 0;
    this.beyond = 0;
    if (this.n >= BURN_IN && range > 0) {
      this.beyond = Math.max(x - this.max, this.min - x, 0) / range;
      if (this.beyond > 0) err = Math.max(err, 3 + 20 * this.beyond);
    }

    if (!Number.isNaN(this.last)) this.lastErr += 0.05 * (Math.abs(x - this.last) - this.lastErr);
    this.last = x;
    this.fast.update(x, this.n);
    this.slow.update(x, this.n);
    const dm = this.day.expect(ds);
    if (dm !== undefined) this.dayMae += 0.02 * (Math.abs(x - dm) - this.dayMae);
    const wm = this.week.expect(ws);
    if (wm !== undefined) this.weekMae += 0.02 * (Math.abs(x - wm) - this.weekMae);
    this.updateLevel(x, floor);
    this.day.update(ds, x);
    this.week.update(ws, x);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.n++;
    return err;
  }

  private updateLevel(x: number, floor: number): void {
    this.med[this.n % 5] = x;
    const k = Math.min(this.n + 1, 5);
    // Insertion sort of at most five values.
    const a = this.sorted;
    for (let i = 0; i < k; i++) {
      const v = this.med[i]!;
      let j = i;
      while (j > 0 && a[j - 1]! > v) {
        a[j] = a[j - 1]!;
        j--;
      }
      a[j] = v;
    }
    const m = a[k >> 1]!;
    if (Number.isNaN(this.medBase)) this.medBase = m;
    const d = Math.abs(m - this.medBase);
    this.level = this.medN >= 20 ? d / Math.max(this.medDev, floor) : 0;
    this.medN++;
    this.medDev += Math.max(1 / LEVEL_SPREAD, 1 / this.medN) * (d - this.medDev);
    this.medBase += Math.max(1 / LEVEL_BASELINE, 1 / this.medN) * (m - this.medBase);
  }

  /** Expected range of the latest point (slow EWMA +- 3 MAE), for onset messages. */
  expected(): { low: number; high: number } {
    return { low: this.slow.mean - 3 * this.slow.mae, high: this.slow.mean + 3 * this.slow.mae };
  }
}

export const FORECAST_BYTES = (DAY_SLOTS + WEEK_SLOTS) * 3 * 4 + 10 * 4 + 6 * 64 + 30 * 8;
