// The one seam between the PromQL engine and whatever holds samples (the history store, the
// alerts connector's in-memory window, a test fixture). Prometheus' Querier in miniature:
// the engine asks for series by matchers over a time range and never knows where they live.

/** A label set, `__name__` included. Keys sorted is not required; identity is the set. */
export type Labels = Readonly<Record<string, string>>;

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A label matcher as written in a selector. Regexes are fully anchored, as in Prometheus. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/**
 * The samples of one series in a time range, columnar, sorted by time, no duplicate times.
 * `t` is milliseconds since the Unix epoch (PromQL's resolution). A staleness marker is the
 * value `STALE_NAN`; test it with `isStaleNaN`, never with `Number.isNaN` alone.
 */
export interface SeriesSamples {
  readonly labels: Labels;
  readonly t: Float64Array | readonly number[];
  readonly v: Float64Array | readonly number[];
}

/** What the engine may tell the store about a selection, so it can read less. */
export interface SelectHints {
  /** Inclusive bounds, ms. The store may return samples outside them; the engine filters. */
  readonly minT: number;
  readonly maxT: number;
  /** Evaluation step of a range query, ms (0 for instant queries). */
  readonly stepMs?: number;
  /** The function around a range selector (`rate`, `avg_over_time`, ...), if any. */
  readonly func?: string;
  /** Range of the range selector, ms (0 for instant selectors). */
  readonly rangeMs?: number;
}

export interface Queryable {
  /** Series matching every matcher (at least one matcher is non-empty), with their samples. */
  select(hints: SelectHints, matchers: readonly Matcher[]): Promise<readonly SeriesSamples[]>;
  /** Label names present on series matching the matchers (all series when none), sorted. */
  labelNames(hints: SelectHints, matchers?: readonly Matcher[]): Promise<readonly string[]>;
  /** Values of one label on series matching the matchers, sorted. */
  labelValues(name: string, hints: SelectHints, matchers?: readonly Matcher[]): Promise<readonly string[]>;
}

// Prometheus writes the marker as the signalling NaN 0x7ff0000000000002. V8 quiets signalling
// NaNs when they become JS numbers, so in memory the marker is the quiet NaN with the same
// payload (0x7ff8000000000002); codecs that write Prometheus' wire or disk formats use
// STALE_NAN_BITS (src/prometheus/model.ts), and isStaleNaN accepts both patterns.
const staleBuf = new DataView(new ArrayBuffer(8));
staleBuf.setUint32(0, 0x7ff80000);
staleBuf.setUint32(4, 0x00000002);
/** The staleness marker as a JS number: a NaN with a payload that no arithmetic produces. */
export const STALE_NAN = staleBuf.getFloat64(0);

/** True for the staleness marker only (other NaNs are ordinary values). */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  staleBuf.setFloat64(0, v);
  const hi = staleBuf.getUint32(0);
  return (hi === 0x7ff80000 || hi === 0x7ff00000) && staleBuf.getUint32(4) === 0x00000002;
}
