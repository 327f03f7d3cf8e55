// Translated families -> remote-write series: one entry per label set, samples in timestamp
// order, labels checked against the Remote-Write 1.0 rules.
import { LABEL_NAME_RE, METRIC_NAME_RE } from './names.js';
import type { Label, PromFamily } from './model.js';
import type { RwMetadata, RwSeries, WriteRequest } from './remotewrite.js';

export interface BuildResult {
  /** The requests of every shard, in order (shard 0 first). */
  requests: WriteRequest[];
  /** The requests of each shard (`shards` of the options; one when not given). */
  byShard: WriteRequest[][];
  /** Samples refused by the label rules (counted by the caller). */
  invalid: number;
  invalidReasons: string[];
  samples: number;
}

// Names repeat across series: remember the ones already checked.
const goodNames = new Set<string>();
const goodMetricNames = new Set<string>();

function validLabels(s: RwSeries): string | undefined {
  let prev = '';
  let hasName = false;
  for (const l of s.labels) {
    if (l.name === prev) return `duplicate label ${l.name}`;
    if (l.name < prev) return 'labels not sorted';
    prev = l.name;
    if (l.name === '__name__') {
      hasName = true;
      if (!goodMetricNames.has(l.value)) {
        if (!METRIC_NAME_RE.test(l.value)) return `invalid metric name ${JSON.stringify(l.value)}`;
        if (goodMetricNames.size < 100_000) goodMetricNames.add(l.value);
      }
    } else if (!goodNames.has(l.name)) {
      if (!LABEL_NAME_RE.test(l.name) || l.name.startsWith('__')) return `invalid label name ${JSON.stringify(l.name)}`;
      if (goodNames.size < 100_000) goodNames.add(l.name);
    }
    if (l.value === '') return `empty value for label ${l.name}`;
  }
  return hasName ? undefined : 'no __name__';
}

/** Rough encoded size of a series, to split requests at `maxBytes`. */
function approxSize(s: RwSeries): number {
  let n = 4;
  for (const l of s.labels) n += l.name.length + l.value.length + 6;
  return n + s.samples.length * 16;
}

/** FNV-1a over the label set, without building a key string (this runs for every sample). */
export function hashLabels(labels: Label[]): number {
  let h = 0x811c9dc5;
  for (const l of labels) {
    for (let i = 0; i < l.name.length; i++) h = Math.imul(h ^ l.name.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
    for (let i = 0; i < l.value.length; i++) h = Math.imul(h ^ l.value.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xfe, 0x01000193);
  }
  return h >>> 0;
}

function sameLabels(a: Label[], b: Label[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

/**
 * Remote-write requests from translated families: one series per label set (samples in time
 * order), series refused by the label rules counted, split into `shards` by label hash and each
 * shard's series into requests of about `maxBytes`.
 */
export function buildWriteRequests(families: PromFamily[], opts: { metadata: boolean; maxBytes: number; shards?: number }): BuildResult {
  const series: RwSeries[] = [];
  // Hash buckets; a collision just means comparing label arrays.
  const byHash = new Map<number, RwSeries | RwSeries[]>();
  const hashes: number[] = [];
  const find = (labels: Label[], h: number): RwSeries | undefined => {
    const b = byHash.get(h);
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return sameLabels(b.labels, labels) ? b : undefined;
    return b.find((x) => sameLabels(x.labels, labels));
  };
  const add = (rs: RwSeries, h: number): void => {
    const b = byHash.get(h);
    if (b === undefined) byHash.set(h, rs);
    else if (Array.isArray(b)) b.push(rs);
    else byHash.set(h, [b, rs]);
    series.push(rs);
    hashes.push(h);
  };
  const reasons = new Set<string>();
  let invalid = 0;
  let samples = 0;
  for (const f of families) {
    const meta: RwMetadata = { type: f.type, familyName: f.name, help: f.help, unit: f.unit };
    for (const s of f.samples) {
      const h = hashLabels(s.labels);
      let rs = find(s.labels, h);
      if (!rs) {
        rs = { labels: s.labels, samples: [], meta };
        const bad = validLabels(rs);
        if (bad) {
          invalid++;
          reasons.add(bad);
          continue;
        }
        add(rs, h);
      }
      rs.samples.push({ value: s.value, timestampMs: s.timestampMs, stale: s.stale });
      samples++;
    }
  }
  for (const rs of series) if (rs.samples.length > 1) rs.samples.sort((a, b) => a.timestampMs - b.timestampMs);
  const metadata: RwMetadata[] = opts.metadata
    ? families.map((f) => ({ type: f.type, familyName: f.name, help: f.help, unit: f.unit }))
    : [];
  const byShard = packRequests(series, opts.shards ?? 1, opts.maxBytes, metadata, hashes);
  return { requests: byShard.flat(), byShard, invalid, invalidReasons: [...reasons], samples };
}

/**
 * Series into `n` shards by label hash (so every sample of a series goes through one ordered
 * queue), each shard's into requests of about `maxBytes`. `metadata` goes with shard 0's first
 * request. `hashes` are the series' label hashes when known.
 */
export function packRequests(series: RwSeries[], n: number, maxBytes: number, metadata: RwMetadata[] = [], hashes?: number[]): WriteRequest[][] {
  const out: WriteRequest[][] = Array.from({ length: n }, () => []);
  const cur: (WriteRequest | undefined)[] = new Array(n);
  const size: number[] = new Array(n).fill(0);
  if (metadata.length > 0) cur[0] = { timeseries: [], metadata };
  series.forEach((rs, i) => {
    const k = n === 1 ? 0 : (hashes?.[i] ?? hashLabels(rs.labels)) % n;
    const bytes = approxSize(rs);
    let req = cur[k];
    if (req && size[k]! + bytes > maxBytes && req.timeseries.length > 0) {
      out[k]!.push(req);
      req = undefined;
    }
    if (!req) {
      req = cur[k] = { timeseries: [], metadata: [] };
      size[k] = 0;
    }
    req.timeseries.push(rs);
    size[k]! += bytes;
  });
  for (let k = 0; k < n; k++) if (cur[k] && (cur[k]!.timeseries.length > 0 || cur[k]!.metadata.length > 0)) out[k]!.push(cur[k]!);
  return out;
}
