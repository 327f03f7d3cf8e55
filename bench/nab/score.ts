// NAB scoring, implemented from the benchmark's published rules (../shared/datasets/README.md)
// and checked against the reference sweeper (numenta/NAB nab/sweeper.py): probationary period,
// scaled-sigmoid rewards, one threshold per profile for the whole corpus.

export interface Profile {
  name: string;
  tp: number;
  fp: number;
  fn: number;
}

export const PROFILES: Profile[] = [
  { name: 'standard', tp: 1, fp: 0.11, fn: 1 },
  { name: 'reward_low_FP_rate', tp: 1, fp: 0.22, fn: 1 },
  { name: 'reward_low_FN_rate', tp: 1, fp: 0.11, fn: 2 },
];

export interface ScoredFile {
  name: string;
  /** Epoch ms of each row. */
  times: number[];
  scores: number[];
  /** Windows as [startMs, endMs], inclusive. */
  windows: [number, number][];
}

/** NAB's scaled sigmoid: 2 sigmoid(-5y) - 1, and -1 from 3 window lengths past a window. */
const sigma = (y: number): number => (y >= 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1);
const SIGMA_LEFT = sigma(-1);

/** A scorable row: its score, its window (or -1) and its reward (window) or FP factor (<= 0). */
interface Row {
  score: number;
  window: number;
  weight: number;
}

/** Rows after the probationary period; windows without a scorable row do not count (as in NAB). */
function rowsOf(f: ScoredFile, windowBase: number): { rows: Row[]; nWindows: number } {
  const n = f.times.length;
  const probation = Math.min(Math.floor(0.15 * n), 750);
  const bounds = f.windows
    .map(([s, e]) => {
      let a = -1;
      let b = -1;
      for (let i = 0; i < n; i++) {
        const t = f.times[i]!;
        if (t >= s && t <= e) {
          if (a < 0) a = i;
          b = i;
        }
      }
      return [a, b] as const;
    })
    .filter(([a]) => a >= 0);
  // Window ids for windows that reach past the probationary period.
  const ids = new Map<number, number>();
  for (let k = 0; k < bounds.length; k++) if (bounds[k]![1] >= probation) ids.set(k, windowBase + ids.size);
  const rows: Row[] = [];
  let k = 0; // next window
  let prev = -1; // last window whose right edge is behind i
  for (let i = 0; i < n; i++) {
    while (k < bounds.length && bounds[k]![1] < i) prev = k++;
    const inWin = k < bounds.length && i >= bounds[k]![0];
    let row: Row;
    if (inWin) {
      const [a, b] = bounds[k]!;
      const len = b - a + 1;
      row = { score: f.scores[i]!, window: ids.get(k) ?? -1, weight: sigma(-(b - i + 1) / len) / SIGMA_LEFT };
    } else if (prev >= 0) {
      const [a, b] = bounds[prev]!;
      const width = b - a + 1;
      row = { score: f.scores[i]!, window: -1, weight: width > 1 ? sigma(Math.abs(b - i) / (width - 1)) : -1 };
    } else row = { score: f.scores[i]!, window: -1, weight: -1 };
    if (i >= probation) rows.push(row);
  }
  return { rows, nWindows: ids.size };
}

export interface ProfileResult {
  profile: string;
  threshold: number;
  raw: number;
  /** 100 (S - S_null) / (S_perfect - S_null); NaN when there are no windows. */
  normalized: number;
  tp: number;
  fp: number;
  fn: number;
  windows: number;
}

/** Rows of a set of files, with window ids unique across the set. */
export function prepare(files: ScoredFile[]): { rows: Row[]; nWindows: number } {
  const all: Row[] = [];
  let nWindows = 0;
  for (const f of files) {
    const { rows, nWindows: nw } = rowsOf(f, nWindows);
    nWindows += nw;
    for (const r of rows) all.push(r);
  }
  return { rows: all, nWindows };
}

function result(profile: Profile, threshold: number, total: number, tp: number, fp: number, nWindows: number): ProfileResult {
  const nullScore = -profile.fn * nWindows;
  const perfect = profile.tp * nWindows;
  return {
    profile: profile.name,
    threshold,
    raw: total,
    normalized: nWindows > 0 ? (100 * (total - nullScore)) / (perfect - nullScore) : NaN,
    tp,
    fp,
    fn: nWindows - tp,
    windows: nWindows,
  };
}

/** Sweeps every distinct score as a threshold (descending) and keeps the best corpus total. */
export function scoreCorpus(files: ScoredFile[], profile: Profile): ProfileResult {
  const { rows, nWindows } = prepare(files);
  const events = rows.slice().sort((a, b) => b.score - a.score);
  const best = new Float64Array(nWindows); // best reward per window so far (0 = undetected)
  let tpSum = 0;
  let detected = 0;
  let fpSum = 0;
  let fpCount = 0;
  let bestTotal = -profile.fn * nWindows;
  let bestThr = Infinity;
  let bestCounts = { tp: 0, fp: 0 };
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.window >= 0) {
      const prevBest = best[e.window]!;
      if (e.weight > prevBest) {
        if (prevBest === 0) detected++;
        tpSum += e.weight - prevBest;
        best[e.window] = e.weight;
      }
    } else {
      fpSum += e.weight; // weight <= 0
      fpCount++;
    }
    const next = events[i + 1];
    if (next && next.score === e.score) continue;
    const total = profile.tp * tpSum + profile.fp * fpSum - profile.fn * (nWindows - detected);
    if (total > bestTotal) {
      bestTotal = total;
      bestThr = e.score;
      bestCounts = { tp: detected, fp: fpCount };
    }
  }
  return result(profile, bestThr, bestTotal, bestCounts.tp, bestCounts.fp, nWindows);
}

/** The score of a set of files at a given threshold (detections are scores >= threshold). */
export function scoreAtThreshold(files: ScoredFile[], profile: Profile, threshold: number): ProfileResult {
  const { rows, nWindows } = prepare(files);
  const best = new Float64Array(nWindows);
  let fpSum = 0;
  let fp = 0;
  for (const r of rows) {
    if (!(r.score >= threshold)) continue;
    if (r.window >= 0) best[r.window] = Math.max(best[r.window]!, r.weight);
    else {
      fpSum += r.weight;
      fp++;
    }
  }
  let tpSum = 0;
  let tp = 0;
  for (const b of best)
    if (b > 0) {
      tpSum += b;
      tp++;
    }
  const total = profile.tp * tpSum + profile.fp * fpSum - profile.fn * (nWindows - tp);
  return result(profile, threshold, total, tp, fp, nWindows);
}

export interface Fold {
  held: string;
  /** Threshold chosen on the other groups. */
  threshold: number;
  result: ProfileResult;
}

/**
 * Leave-one-group-out: for each group, the threshold NAB's optimiser would pick on the other
 * groups, applied to the held-out group. A detector whose scores mean the same thing on every
 * kind of series loses little here.
 */
export function leaveOneGroupOut(files: ScoredFile[], groupOf: (f: ScoredFile) => string, profile: Profile): Fold[] {
  const groups = [...new Set(files.map(groupOf))].sort();
  return groups.map((g) => {
    const train = files.filter((f) => groupOf(f) !== g);
    const test = files.filter((f) => groupOf(f) === g);
    const thr = scoreCorpus(train, profile).threshold;
    return { held: g, threshold: thr, result: scoreAtThreshold(test, profile, thr) };
  });
}
