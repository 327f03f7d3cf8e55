// Peer for a side-by-side run: a windowed-Gaussian detector (one of NAB's published baselines,
// 39.6 on the full corpus), written here from its description: the score of a point is the
// two-sided Gaussian tail mass of its distance from the mean of the previous W points.
const W = 6400;

function erfc(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const r = y * Math.exp(-x * x);
  return x >= 0 ? r : 2 - r;
}

export function windowedGaussian(values: number[]): number[] {
  const ring = new Float64Array(W);
  let n = 0;
  let sum = 0;
  let sq = 0;
  return values.map((x) => {
    let score = 0;
    const k = Math.min(n, W);
    if (k >= 2) {
      const mean = sum / k;
      const sd = Math.sqrt(Math.max(sq / k - mean * mean, 0));
      // 1 - two-sided tail = how unlikely the point is under the window's Gaussian.
      score = sd > 0 ? 1 - erfc(Math.abs(x - mean) / sd / Math.SQRT2) : x === mean ? 0 : 1;
    }
    const old = n >= W ? ring[n % W]! : 0;
    if (n >= W) (sum -= old), (sq -= old * old);
    ring[n % W] = x;
    sum += x;
    sq += x * x;
    n++;
    return score;
  });
}
