// Translated families -> remote-write series: one entry per label set, samples in timestamp
// order, labels checked against the Remote-Write 1.0 rules.
import { LABEL_NAME_RE, METRIC_NAME_RE } from './names.js';
import type { Label, PromFamily } from './model.js';
import type { RwMetadata, RwSeries, WriteRequest } from './remotewrite.js';

export interface BuildResult {
  requests: WriteRequest[];
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
function hashLabels(labels: Label[]): number {
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

export function buildWriteRequests(families: PromFamily[], opts: { metadata: boolean; maxBytes: number }): BuildResult {
  const series: RwSeries[] = [];
  // Hash buckets; a collision just means comparing label arrays.
  const byHash = new Map<number, RwSeries | RwSeries[]>();
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
  };
  const res: BuildResult = { requests: [], invalid: 0, invalidReasons: [], samples: 0 };
  const reasons = new Set<string>();
  for (const f of families) {
    const meta: RwMetadata = { type: f.type, familyName: f.name, help: f.help, unit: f.unit };
    for (const s of f.samples) {
      const h = hashLabels(s.labels);
      let rs = find(s.labels, h);
      if (!rs) {
        rs = { labels: s.labels, samples: [], meta };
        const bad = validLabels(rs);
        if (bad) {
          res.invalid++;
          reasons.add(bad);
          continue;
        }
        add(rs, h);
      }
      rs.samples.push({ value: s.value, timestampMs: s.timestampMs, stale: s.stale });
      res.samples++;
    }
  }
  res.invalidReasons = [...reasons];
  const metadata: RwMetadata[] = opts.metadata
    ? families.map((f) => ({ type: f.type, familyName: f.name, help: f.help, unit: f.unit }))
    : [];
  let cur: WriteRequest = { timeseries: [], metadata };
  let size = 0;
  for (const rs of series) {
    if (rs.samples.length > 1) rs.samples.sort((a, b) => a.timestampMs - b.timestampMs);
    const n = approxSize(rs);
    if (size + n > opts.maxBytes && cur.timeseries.length > 0) {
      res.requests.push(cur);
      cur = { timeseries: [], metadata: [] };
      size = 0;
    }
    cur.timeseries.push(rs);
    size += n;
  }
  if (cur.timeseries.length > 0 || cur.metadata.length > 0) res.requests.push(cur);
  return res;
}
