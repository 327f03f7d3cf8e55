// NAB scoring, implemented from the benchmark's published rules (../shared/datasets/README.md):
// probationary period, scaled-sigmoid rewards, one threshold per profile for the whole corpus.

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

const sigma = (y: number): number => 2 / (1 + Math.exp(5 * y)) - 1;
const SIGMA_LEFT = sigma(-1);

/** Per row: window index (or -1) and the reward (in window) or FP cost factor (outside, <= 0). */
interface RowInfo {
  window: number;
  weight: number;
}

function rowInfo(f: ScoredFile, windowBase: number): { rows: RowInfo[]; probation: number; nWindows: number } {
  const n = f.times.length;
  const probation = Math.min(Math.floor(0.15 * n), 750);
  // Window bounds in row indices.
  const bounds = f.windows.map(([s, e]) => {
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
  });
  const rows: RowInfo[] = new Array(n);
  let prev = -1; // index into bounds of the last window whose right edge is before i
  for (let i = 0; i < n; i++) {
    let w = -1;
    for (let k = 0; k < bounds.length; k++) {
      const [a, b] = bounds[k]!;
      if (a >= 0 && i >= a && i <= b) w = k;
      if (a >= 0 && b < i) prev = Math.max(prev, k);
    }
    if (w >= 0) {
      const [a, b] = bounds[w]!;
      const len = b - a + 1;
      rows[i] = { window: windowBase + w, weight: sigma(-(b - i + 1) / len) / SIGMA_LEFT };
    } else if (prev >= 0) {
      const [a, b] = bounds[prev]!;
      const len = b - a + 1;
      const pos = (i - b) / len;
      rows[i] = { window: -1, weight: pos > 3 ? -1 : sigma(pos) };
    } else rows[i] = { window: -1, weight: -1 };
  }
  return { rows, probation, nWindows: bounds.length };
}

export interface ProfileResult {
  profile: string;
  threshold: number;
  raw: number;
  normalized: number;
  tp: number;
  fp: number;
  fn: number;
}

/** Sweeps every distinct score as a threshold (descending) and keeps the best corpus total. */
export function scoreCorpus(files: ScoredFile[], profile: Profile): ProfileResult {
  const events: { score: number; window: number; weight: number }[] = [];
  let nWindows = 0;
  for (const f of files) {
    const { rows, probation, nWindows: nw } = rowInfo(f, nWindows);
    nWindows += nw;
    for (let i = probation; i < rows.length; i++) events.push({ score: f.scores[i]!, ...rows[i]! });
  }
  events.sort((a, b) => b.score - a.score);
  const best = new Float64Array(nWindows); // best reward per window so far (0 = undetected)
  let tpSum = 0;
  let detected = 0;
  let fpSum = 0;
  let fpCount = 0;
  const nullScore = -profile.fn * nWindows;
  let bestTotal = nullScore;
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
  const perfect = profile.tp * nWindows;
  return {
    profile: profile.name,
    threshold: bestThr,
    raw: bestTotal,
    normalized: (100 * (bestTotal - nullScore)) / (perfect - nullScore),
    tp: bestCounts.tp,
    fp: bestCounts.fp,
    fn: nWindows - bestCounts.tp,
  };
}
