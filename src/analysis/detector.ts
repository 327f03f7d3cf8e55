// Online anomaly detector for one numeric series: one point at a time, no look-ahead, fixed
// memory. Design (see README in processors/anomaly):
//  1. An ensemble of predictors (last value, fast/slow EWMA, daily and weekly per-slot profiles)
//     each with its own robust error scale; the raw surprise of a point is the mean of their
//     normalised errors weighted by each model's track record (1 / its absolute MAE^2), so the
//     model that explains the series best (e.g. the daily profile) has the most say.
//  2. A novelty term: values far outside the range seen so far.
//  3. HTM-style "anomaly likelihood": the short-term mean of the raw surprise is compared with
//     its long-term distribution, so a noisy series needs a larger jump than a quiet one.
//  4. Onset hysteresis: after a detection, scores are damped for a while, because one
//     incident is one alert (and repeated alerts are noise to an administrator).
//
// Memory per series: 2 profiles x (48 + 168) slots x 3 Float32 = 2.6 KB + ~30 numbers, so
// about 3 KB; see DETECTOR_BYTES.

export interface DetectorOptions {
  /** Points per series before any score is emitted. */
  warmup: number;
  /** Points after an onset during which scores are halved. */
  suppress: number;
  /** Score that counts as an onset and starts the damping. */
  onset: number;
}

export const DEFAULT_DETECTOR: DetectorOptions = { warmup: 30, suppress: 150, onset: 0.9 };

const DAY_SLOTS = 48; // 30-minute slots
const WEEK_SLOTS = 168; // hourly slots
/** Approximate heap bytes of one detector (typed arrays + scalar fields + object header). */
export const DETECTOR_BYTES = (DAY_SLOTS + WEEK_SLOTS) * 3 * 4 + 64 * 8;

// Window scales (points) of the likelihood; one scale of 8 measured best on NAB's development
// subset among {1, 4, 8, 16, 32, 64} combinations (single-point scales raised false alarms).
const SCALES = [8];
const RING = Math.max(...SCALES);
const ERR_CAP = 10; // per-predictor normalised error cap
const RAW_CAP = 20; // raw surprise cap (novelty can exceed ERR_CAP)
const BREAKTHROUGH = 0.9999;
const BURN_IN = 10; // points before the surprise statistics are trusted
const LONG_ALPHA = 1 / 1500; // long-term window of the raw surprise distribution

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

function normTail(z: number): number {
  // Upper tail of the standard normal (Abramowitz-Stegun 7.1.26 on erfc).
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const y =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = y * Math.exp(-(z * z) / 2);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

export interface Expectation {
  low: number;
  high: number;
}

export class AnomalyDetector {
  private n = 0;
  private last = NaN;
  private lastErr = 0;
  private fast = new Ewma(0.3);
  private slow = new Ewma(0.02);
  private day = new Profile(DAY_SLOTS, 86_400);
  private week = new Profile(WEEK_SLOTS, 7 * 86_400);
  private dayMae = 0;
  private weekMae = 0;
  private min = Infinity;
  private max = -Infinity;
  private ring = new Float32Array(RING);
  private sums = new Float64Array(SCALES.length);
  private rawMean = 0;
  private rawVar = 0;
  private quiet = 0;
  private firstT = NaN;
  /** Expected range of the latest point (slow EWMA +- 3 MAE), for onset messages. */
  expected: Expectation = { low: NaN, high: NaN };

  constructor(private opts: DetectorOptions = DEFAULT_DETECTOR) {}

  /** Score in [0, 1] of point `x` observed at `tSec` (Unix seconds). */
  update(tSec: number, x: number): number {
    if (!Number.isFinite(x)) return 0;
    if (Number.isNaN(this.firstT)) this.firstT = tSec;
    const span = tSec - this.firstT;
    const range = this.max - this.min;
    // Errors below a tiny fraction of the range are noise; avoids 0/0 on flat series.
    const floor = Math.max(1e-9, Number.isFinite(range) ? range * 1e-3 : 0, Math.abs(this.slow.mean || 0) * 1e-6);

    // Each predictor: (normalised error, absolute track-record MAE). Inverse-variance weights
    // (1/MAE^2) let the model that has been explaining the series (e.g. the daily profile)
    // dominate.
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
    const dayE = span >= 2 * 86_400 ? this.day.error(ds, x, floor) : undefined;
    const weekE = span >= 14 * 86_400 ? this.week.error(ws, x, floor) : undefined;
    add(dayE, this.dayMae);
    add(weekE, this.weekMae);
    let err = wSum > 0 ? eSum / wSum : 0;
    // Novelty: beyond the seen range by a margin relative to that range.
    if (this.n >= BURN_IN && range > 0) {
      const beyond = Math.max(x - this.max, this.min - x, 0) / range;
      if (beyond > 0) err = Math.max(err, 3 + 20 * beyond);
    }
    // Raw surprise is the capped error itself: a saturating transform would hide how far off
    // a point is, and one wild point should not outweigh a sustained shift for long.
    const raw = Math.min(err, RAW_CAP);

    // Update the models after scoring (no look-ahead).
    if (!Number.isNaN(this.last)) this.lastErr += 0.05 * (Math.abs(x - this.last) - this.lastErr);
    this.last = x;
    this.fast.update(x, this.n);
    this.slow.update(x, this.n);
    const dm = this.day.expect(ds);
    if (dm !== undefined) this.dayMae += 0.02 * (Math.abs(x - dm) - this.dayMae);
    const wm = this.week.expect(ws);
    if (wm !== undefined) this.weekMae += 0.02 * (Math.abs(x - wm) - this.weekMae);
    this.day.update(ds, x);
    this.week.update(ws, x);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    const m = this.slow.mean;
    this.expected = { low: m - 3 * this.slow.mae, high: m + 3 * this.slow.mae };

    // Anomaly likelihood at several window scales: the mean raw surprise of the last s points
    // against the long-term distribution of raw surprise.
    const slot = this.n % RING;
    const leaving = this.ring[slot]!;
    this.ring[slot] = raw;
    const sd = Math.max(Math.sqrt(this.rawVar), 0.03);
    const rawMean = this.rawMean;
    // The first points' errors reflect untrained models (tiny scales, tiny range), not the
    // series: keep them out of the long-term distribution.
    if (this.n >= BURN_IN) {
      const k = this.n - BURN_IN;
      const a = Math.max(LONG_ALPHA, 1 / (k + 1));
      const d = raw - this.rawMean;
      this.rawMean += a * d;
      this.rawVar = (1 - a) * (this.rawVar + a * d * d);
    }
    this.n++;
    let tail = 1;
    for (let k = 0; k < SCALES.length; k++) {
      const w = SCALES[k]!;
      // Running sum over the last w points (the ring holds the largest scale).
      const out = w === RING ? leaving : this.n > w ? this.ring[(slot - w + RING) % RING]! : 0;
      this.sums[k] = this.sums[k]! + raw - out;
      const mean = this.sums[k]! / Math.min(this.n, w);
      tail = Math.min(tail, normTail((mean - rawMean) / sd));
    }
    if (this.n <= Math.max(this.opts.warmup, BURN_IN + 2)) return 0;
    const score = 1 - Math.min(1, tail * SCALES.length);

    // A far stronger anomaly breaks through the damping (a second incident is not hidden).
    if (this.quiet > 0 && score < BREAKTHROUGH) {
      this.quiet--;
      return score * 0.5;
    }
    if (score >= this.opts.onset) this.quiet = this.opts.suppress;
    return score;
  }

  get count(): number {
    return this.n;
  }
}
