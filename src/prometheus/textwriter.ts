// Prometheus text exposition (0.0.4) and OpenMetrics 1.0 writers.
import type { PromFamily } from './model.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export interface WriteOptions {
  openMetrics: boolean;
  timestamps: boolean;
}

export function writeText(families: PromFamily[], opts: WriteOptions): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    let fname = f.name;
    // OpenMetrics names a counter family without `_total`; the samples keep it.
    if (opts.openMetrics && f.type === 'counter' && fname.endsWith('_total')) fname = fname.slice(0, -6);
    const type = !opts.openMetrics && (f.type === 'info' || f.type === 'stateset') ? 'gauge' : f.type === 'gaugehistogram' && !opts.openMetrics ? 'histogram' : f.type === 'unknown' && !opts.openMetrics ? 'untyped' : f.type;
    if (f.help) out.push(`# HELP ${fname} ${escapeHelp(f.help)}`);
    out.push(`# TYPE ${fname} ${type}`);
    if (opts.openMetrics && f.unit && fname.endsWith(`_${f.unit}`)) out.push(`# UNIT ${fname} ${f.unit}`);
    for (const s of f.samples) {
      let name = '';
      let ls = '';
      for (const l of s.labels) {
        if (l.name === '__name__') {
          name = l.value;
          continue;
        }
        ls += `${ls ? ',' : ''}${l.name}="${escapeLabelValue(l.value)}"`;
      }
      let line = ls ? `${name}{${ls}} ${formatValue(s.value)}` : `${name} ${formatValue(s.value)}`;
      if (opts.timestamps) line += opts.openMetrics ? ` ${(s.timestampMs / 1000).toFixed(3)}` : ` ${s.timestampMs}`;
      out.push(line);
    }
  }
  if (opts.openMetrics) out.push('# EOF');
  return out.join('\n') + '\n';
}
