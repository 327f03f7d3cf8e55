// Time-to-full accuracy of the forecast processor's trend model (src/analysis/forecast.ts) on
// synthetic disk fills: linear, bursty and with a daily cycle. The error is the absolute
// percentage error of the predicted time to full, measured when half of the time to full has
// passed, averaged over seeds (MAPE). Peer: an ordinary least-squares line through the last 6h
// of samples, as a Prometheus `predict_linear(x[6h], ...)` alert rule computes it. The
// known-rate oracle (true mean rate from the current value) shows the error no model can avoid.
console.log('includes: time-to-full error of the forecast model on synthetic fills against an OLS predict_linear peer, in this process; excludes: timing, real disk data');
import { loadavg } from 'node:os';
import { TrendForecaster } from '../../src/analysis/forecast.js';

const STEP = 60; // seconds between samples
const DAY = 86_400;
const CAP = 1000e9; // bytes
const SEEDS = 30;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const gauss = (r: () => number): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());

type Kind = 'linear' | 'bursty' | 'daily';

/** A usage path sampled every STEP seconds until it first reaches CAP. */
function path(kind: Kind, seed: number): { xs: number[]; rate: number } {
  const r = rng(seed * 7919 + kind.length);
  const days = 2 + r() * 12;
  const u0 = CAP * (0.2 + 0.4 * r());
  const rate = (CAP - u0) / (days * DAY);
  const out: number[] = [];
  let bursty = u0;
  for (let i = 0; ; i++) {
    const t = i * STEP;
    let u: number;
    if (kind === 'linear') u = u0 + rate * t + gauss(r) * CAP * 0.002;
    else if (kind === 'bursty') {
      // Writes arrive in bursts every ~15 min on average (exponential sizes); mean rate is `rate`.
      if (r() < STEP / 900) bursty += rate * 900 * -Math.log(r() + 1e-12);
      u = bursty + gauss(r) * CAP * 0.001;
    } else u = u0 + rate * t + 0.05 * CAP * Math.sin((2 * Math.PI * t) / DAY) + gauss(r) * CAP * 0.002;
    out.push(u);
    if (u >= CAP || i > 60 * DAY) break;
  }
  return { xs: out, rate };
}

/** OLS slope over the trailing window, extrapolated from the latest point. */
function predictLinear(xs: number[], end: number, windowSec: number): number {
  const n = Math.min(end + 1, Math.floor(windowSec / STEP));
  let st = 0, sx = 0, stt = 0, stx = 0;
  for (let i = end - n + 1; i <= end; i++) {
    const t = i * STEP;
    st += t; sx += xs[i]!; stt += t * t; stx += t * xs[i]!;
  }
  const slope = (stx / n - (st / n) * (sx / n)) / (stt / n - (st / n) ** 2);
  const level = sx / n + slope * (end * STEP - st / n);
  return slope > 0 ? (CAP - level) / slope : Infinity;
}

const windows = [6 * 3600, DAY, 3 * DAY];
const results: string[] = [];
for (const kind of ['linear', 'bursty', 'daily'] as Kind[]) {
  const ape = windows.map(() => [] as number[]);
  const peer: number[] = [];
  const oracle: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { xs, rate } = path(kind, seed);
    const half = Math.floor((xs.length - 1) / 2);
    const truth = (xs.length - 1 - half) * STEP;
    windows.forEach((w, k) => {
      const f = new TrendForecaster(w);
      for (let i = 0; i <= half; i++) f.update(i * STEP, xs[i]!);
      const p = f.forecast(CAP)?.seconds ?? Infinity;
      ape[k]!.push(Math.min(Math.abs(p - truth) / truth, 10));
    });
    oracle.push(Math.min(Math.abs((CAP - xs[half]!) / rate - truth) / truth, 10));
    peer.push(Math.min(Math.abs(predictLinear(xs, half, 6 * 3600) - truth) / truth, 10));
  }
  const mape = (a: number[]): string => ((100 * a.reduce((s, x) => s + x, 0)) / a.length).toFixed(1).padStart(6) + '%';
  results.push(`${kind.padEnd(7)} ${ape.map(mape).join(' ')}   ${mape(peer)}   ${mape(oracle)}`);
}
console.log(`MAPE of time to full at 50% of the way (${SEEDS} seeds each; capped at 1000% per case)`);
console.log(`fill    window: ${windows.map((w) => `${w / 3600}h`.padStart(7)).join('')}   peer predict_linear[6h]   known-rate oracle`);
for (const r of results) console.log(r);
console.log(`processor default window: 72h; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
