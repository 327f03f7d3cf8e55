// Prometheus-side data model shared by the scrape exporter, remote-write and the receiver.

export interface Label {
  name: string;
  value: string;
}

export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown' | 'info' | 'stateset' | 'gaugehistogram';

/** One sample of one series; `labels` are sorted by name and include `__name__`. */
export interface PromSample {
  labels: Label[];
  value: number;
  timestampMs: number;
  /** A staleness marker (sent as the exact staleness NaN bit pattern on the wire). */
  stale?: boolean;
  /** labelsKey(labels), when the translator already knew it (label cache). */
  key?: string;
}

export interface PromFamily {
  name: string;
  type: FamilyType;
  help: string;
  unit: string;
  samples: PromSample[];
  /** OTLP data points behind the samples (for item counts). */
  points?: number;
}

/** Prometheus' staleness marker: a NaN with this exact bit pattern. */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

export function isStaleNaNBits(bits: bigint): boolean {
  return bits === STALE_NAN_BITS;
}

/** Bits of a double (NaN payloads preserved). */
export function doubleBits(v: number): bigint {
  f64[0] = v;
  return u64[0]!;
}

export function labelsKey(labels: Label[]): string {
  // join() gives one flat string; `+=` would keep a tree of ~3 string objects per label alive
  // for as long as the key is (a map key for every series held).
  const parts: string[] = new Array(labels.length * 4);
  let i = 0;
  for (const l of labels) {
    parts[i++] = l.name;
    parts[i++] = '\u0000';
    parts[i++] = l.value;
    parts[i++] = '\u0001';
  }
  return parts.join('');
}

export function metricNameOf(labels: Label[]): string {
  for (const l of labels) if (l.name === '__name__') return l.value;
  return '';
}

export function sortLabels(labels: Label[]): Label[] {
  return labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
