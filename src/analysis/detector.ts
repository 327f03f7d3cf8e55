// Online anomaly detector for one numeric series: one point at a time, no look-ahead, fixed
// memory. Unlike measures, each turned into a probability on the series' own history:
//  1. forecast error (predictors.ts: last value, EWMAs, daily/weekly profiles, novelty) under
//     HTM's anomaly likelihood (likelihood.ts): the mean error of the last 8 points against the
//     error's long-run distribution. This is the primary measure; its tail probability p is the
//     score's basis (score = 1 - p).
//  2. level shift of the 5-point median (predictors.ts), and
//  3. nearest-neighbour distance of the last 8 values to everything in the last 384 (knn.ts,
//     KNN-CAD-like), each calibrated by a peaks-over-threshold tail (tail.ts) into a surprisal
//     S = -log10 P. They corroborate: when one is surprising beyond 1e-3, p is divided by
//     10^(0.5 (S - 3)). A point only these two find odd does not alarm (each adds its own false
//     alarms); a point the forecast error finds odd alarms sooner when they agree.
//  4. Onsets: after a score at or above `onset`, scores are halved for `suppress` points (one
//     incident, one alert), unless a far stronger forecast error (1 - p >= 0.9999) breaks through;
//     such a point is still flagged as the incident's continuation (no second onset record).
// What was tried and did not generalise (NAB folds, synthetic series) is listed in the README.

import { FORECAST_BYTES, ForecastError } from './predictors.js';
import { DEFAULT_KNN, KnnDistance, knnBytes } from './knn.js';
import { TAIL_BYTES, TailCalibrator } from './tail.js';
import { BURN_IN, LIKELIHOOD_BYTES, WindowLikelihood } from './likelihood.js';

export interface DetectorOptions {
  /** Points per series before any score is emitted. */
  warmup: number;
  /** Points after an onset during which scores are halved. */
  suppress: number;
  /** Score that counts as an onset and starts the damping (the processor's threshold). */
  onset: number;
}

export const DEFAULT_DETECTOR: DetectorOptions = { warmup: 30, suppress: 150, onset: 0.9 };

/** Raw forecast error cap (novelty can exceed the per-predictor cap of 10). */
const RAW_CAP = 20;
/** Surprisal (decades) from which a corroborating measure starts to count: p < 1e-3. */
const CORROBORATE_FROM = 3;
/** Weight of a corroborating surprisal beyond that: half a decade per decade. */
const CORROBORATE_WEIGHT = 0.5;
/** Points a corroborating calibrator sees before it is trusted. */
const CALIBRATED_AFTER = 50;
/** A score this far up breaks through the damping after an onset (a second incident). */
const BREAKTHROUGH = 0.9999;

export interface Expectation {
  low: number;
  high: number;
}

export class AnomalyDetector {
  private n = 0;
  private forecast = new ForecastError();
  private likelihood = new WindowLikelihood();
  private knn = new KnnDistance(DEFAULT_KNN);
  private levelTail = new TailCalibrator();
  private knnTail = new TailCalibrator();
  private quiet = 0;
  /**
   * The latest point fell in the damping after an onset: even when it broke through, it belongs
   * to that incident (a burst whose noise dips below the threshold and back is one incident).
   */
  continuation = false;
  /** Expected range of the latest point (slow EWMA +- 3 MAE), for onset messages. */
  expected: Expectation = { low: NaN, high: NaN };

  constructor(private opts: DetectorOptions = DEFAULT_DETECTOR) {}

  /** Score in [0, 1] of point `x` observed at `tSec` (Unix seconds). */
  update(tSec: number, x: number): number {
    if (!Number.isFinite(x)) return 0;
    const err = this.forecast.update(tSec, x);
    const primary = this.likelihood.update(Math.min(err, RAW_CAP));
    let p = primary;
    p *= this.corroboration(this.levelTail, this.forecast.level);
    p *= this.corroboration(this.knnTail, this.knn.update(x));
    this.expected = this.forecast.expected();
    this.n++;
    if (this.n <= Math.max(this.opts.warmup, BURN_IN + 2)) return 0;
    const score = 1 - Math.min(1, p);
    this.continuation = this.quiet > 0;
    // The breakthrough looks at the forecast error alone: corroboration keeps growing while a
    // shift lasts, and the continuation of one incident must not count as a second one.
    if (this.quiet > 0 && 1 - primary < BREAKTHROUGH) {
      this.quiet--;
      return score * 0.5;
    }
    if (score >= this.opts.onset) this.quiet = this.opts.suppress;
    return score;
  }

  /** Factor (<= 1) by which a corroborating measure's surprisal divides p; learns the measure. */
  private corroboration(tail: TailCalibrator, raw: number): number {
    const s = tail.surprisal(raw);
    const trusted = tail.count > CALIBRATED_AFTER;
    tail.update(raw);
    if (!trusted || s <= CORROBORATE_FROM) return 1;
    return Math.pow(10, -CORROBORATE_WEIGHT * (s - CORROBORATE_FROM));
  }

  get count(): number {
    return this.n;
  }
}

/** Approximate heap bytes of one detector. */
export const DETECTOR_BYTES = FORECAST_BYTES + LIKELIHOOD_BYTES + knnBytes() + 2 * TAIL_BYTES + 6 * 8 + 2 * 64;
