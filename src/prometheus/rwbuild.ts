// Translated families -> remote-write series: one entry per label set, samples in timestamp
// order, labels checked against the Remote-Write 1.0 rules.
import { LABEL_NAME_RE, METRIC_NAME_RE } from './names.js';
import { labelsKey, type PromFamily } from './model.js';
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

export function buildWriteRequests(families: PromFamily[], opts: { metadata: boolean; maxBytes: number }): BuildResult {
  const series = new Map<string, RwSeries>();
  const res: BuildResult = { requests: [], invalid: 0, invalidReasons: [], samples: 0 };
  const reasons = new Set<string>();
  for (const f of families) {
    const meta: RwMetadata = { type: f.type, familyName: f.name, help: f.help, unit: f.unit };
    for (const s of f.samples) {
      const key = labelsKey(s.labels);
      let rs = series.get(key);
      if (!rs) {
        rs = { labels: s.labels, samples: [], meta };
        const bad = validLabels(rs);
        if (bad) {
          res.invalid++;
          reasons.add(bad);
          continue;
        }
        series.set(key, rs);
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
  for (const rs of series.values()) {
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
