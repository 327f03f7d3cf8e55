// Counts per step from a counter the history accumulated out of delta sums (logpattern's
// log.template.count): differences of consecutive values, carried across steps without samples.
// The history's delta accumulator forgets a series idle for 5 minutes, so a value after a longer
// gap (or a lower one: a restart) starts again from zero and counts whole; a series whose first
// value comes more than that gap after the start of what was fetched is new and counts whole too.
export const ACCUMULATOR_EXPIRY_S = 300;

/** `values`: [time s, value] of `last_over_time(x[step])`, oldest first, from `fetchStart`. */
export function stepCounts(values: readonly [number, number][], fetchStart: number): [number, number][] {
  const out: [number, number][] = [];
  let last: number | undefined;
  let lastT = 0;
  for (const [t, v] of values) {
    if (!Number.isFinite(v)) continue;
    let n: number;
    if (last === undefined) n = t - fetchStart > ACCUMULATOR_EXPIRY_S ? v : 0;
    else if (v < last || t - lastT > ACCUMULATOR_EXPIRY_S) n = v;
    else n = v - last;
    out.push([t, n]);
    last = v;
    lastT = t;
  }
  return out;
}
