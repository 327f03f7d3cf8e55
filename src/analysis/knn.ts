// Nearest-neighbour nonconformity in the spirit of KNN-CAD (Burnaev & Ishimtsev, 2016): the
// shape of the last DIM values is compared with every earlier window still in memory, and the
// raw measure is the mean distance to its K nearest. A pattern that has happened before (a
// regular spike, a ramp) has near neighbours however large it is; a new shape has none. The
// conformal step (distance -> probability) is the caller's tail calibrator.
// State: a ring of HISTORY Float32 values, kept twice (3 KB at the default 384).

export interface KnnOptions {
  /** Values per window. */
  dim: number;
  /** Values kept; windows ending in the last `dim` points are excluded (they overlap). */
  history: number;
  /** Neighbours averaged. */
  k: number;
}

/** 8 points (40 minutes of 5-minute data) hold a spike or a step with its context; 384 points
 *  keep 32 hours of them, so a daily pattern has met itself once; 2 neighbours, so that one
 *  earlier look-alike (the first occurrence of a new pattern) does not make it normal. */
export const DEFAULT_KNN: KnnOptions = { dim: 8, history: 384, k: 2 };

export class KnnDistance {
  private ring: Float32Array;
  private n = 0;
  private best: Float64Array;
  private cur: Float64Array;

  constructor(private readonly o: KnnOptions = DEFAULT_KNN) {
    this.ring = new Float32Array(2 * o.history);
    this.best = new Float64Array(o.k);
    this.cur = new Float64Array(o.dim);
  }

  /** Raw distance of the window ending with `x` (0 until enough windows exist), then learns it. */
  update(x: number): number {
    const { dim, history: h, k } = this.o;
    const ring = this.ring;
    // Each value is written twice, h apart, so that every window is contiguous: the inner loop
    // needs no wrap-around test.
    ring[this.n % h] = x;
    ring[(this.n % h) + h] = x;
    const n = ++this.n;
    // Candidate windows end at j in [n-h+dim-1, n-1-dim] (absolute indices): wholly in the ring
    // and not overlapping the current window.
    const lo = Math.max(dim - 1, n - h + dim - 1);
    const hi = n - 1 - dim;
    if (hi - lo + 1 < 4 * k) return 0;
    const cur = this.cur;
    for (let d = 0; d < dim; d++) cur[d] = ring[(n - dim + d) % h]!;
    const c = cur[dim - 1]!;
    const best = this.best;
    best.fill(Infinity);
    let worst = Infinity; // best[k-1]
    // Newest candidates first (a series is most like its recent self, so the bound tightens
    // fast) and the newest value of each window first (where a new shape differs): most
    // candidates are abandoned after one or two values. The result is the exact k nearest.
    for (let j = hi; j >= lo; j--) {
      // Window j occupies ring[e - dim + 1 .. e] with e = j % h + h (contiguous copy).
      const e = (j % h) + h;
      const d0 = ring[e]! - c;
      let s = d0 * d0;
      if (s >= worst) continue;
      let d = dim - 2;
      for (; d >= 0; d--) {
        const diff = ring[e - (dim - 1 - d)]! - cur[d]!;
        s += diff * diff;
        if (s >= worst) break; // early abandon: cannot enter the k best
      }
      if (d >= 0) continue;
      let i = k - 1;
      while (i > 0 && best[i - 1]! > s) {
        best[i] = best[i - 1]!;
        i--;
      }
      best[i] = s;
      worst = best[k - 1]!;
    }
    let sum = 0;
    for (let i = 0; i < k; i++) sum += Math.sqrt(best[i]!);
    return sum / k;
  }
}

export function knnBytes(o: KnnOptions = DEFAULT_KNN): number {
  return 2 * o.history * 4 + (o.k + o.dim) * 8 + 3 * 64;
}
