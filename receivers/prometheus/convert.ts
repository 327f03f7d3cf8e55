// One target's scrape -> OTLP metrics: job/instance become the resource (service.name,
// service.instance.id) so exporters restore them; counters get start times (first sight or last
// reset); series that vanish get a "no recorded value" point (the staleness marker).
import type { Attributes, Metric, MetricsData, NumberDataPoint, HistogramDataPoint, SummaryDataPoint } from '../../src/pdata/types.js';
import type { ParsedFamily, ParsedSample } from '../../src/prometheus/textparser.js';
import { FLAG_NO_RECORDED_VALUE } from '../../src/prometheus/translate.js';
import { parseFloatValue } from '../../src/prometheus/textparser.js';
import { relabel, type CompiledRelabel } from './relabel.js';
import { attrsKey } from '../../src/pdata/identity.js';

export interface Target {
  job: string;
  instance: string;
  /** static_configs labels */
  labels: Record<string, string>;
  scheme: string;
  url: string;
}

export interface ConvertOptions {
  honorLabels: boolean;
  honorTimestamps: boolean;
  relabel: CompiledRelabel[];
}

type Point = NumberDataPoint | HistogramDataPoint | SummaryDataPoint;

interface Series {
  job: string;
  instance: string;
  metric: Metric;
  point: Point;
}

interface Processed {
  name: string;
  job: string;
  instance: string;
  attrs: Attributes;
  ts: number;
}

const ms2ns = (ms: number) => BigInt(Math.round(ms)) * 1_000_000n;

export class TargetConverter {
  private starts = new Map<string, { start: bigint; last: number }>();
  private prev = new Map<string, Series>();
  private cur = new Map<string, Series>();
  private resources = new Map<string, { job: string; instance: string; metrics: Map<string, Metric> }>();

  constructor(
    readonly target: Target,
    private opts: ConvertOptions,
  ) {}

  private process(s: ParsedSample, scrapeMs: number): Processed | undefined {
    const m = new Map<string, string>();
    for (const l of s.labels) if (l.value !== '') m.set(l.name, l.value);
    const targetLabels: [string, string][] = [['job', this.target.job], ['instance', this.target.instance], ...Object.entries(this.target.labels)];
    for (const [k, v] of targetLabels) {
      const mine = m.get(k);
      if (mine !== undefined && this.opts.honorLabels) continue;
      if (mine !== undefined) m.set(`exported_${k}`, mine);
      if (v !== '') m.set(k, v);
    }
    m.set('__name__', s.name);
    if (this.opts.relabel.length && !relabel(m, this.opts.relabel)) return undefined;
    const name = m.get('__name__');
    if (!name) return undefined;
    const attrs: Attributes = {};
    for (const [k, v] of m) if (k !== '__name__' && k !== 'job' && k !== 'instance' && v !== '') attrs[k] = v;
    const ts = this.opts.honorTimestamps && s.timestampMs !== undefined ? s.timestampMs : scrapeMs;
    return { name, job: m.get('job') ?? '', instance: m.get('instance') ?? '', attrs, ts };
  }

  private metric(job: string, instance: string, name: string, make: () => Metric): Metric {
    const rk = `${job}\u0000${instance}`;
    let r = this.resources.get(rk);
    if (!r) this.resources.set(rk, (r = { job, instance, metrics: new Map() }));
    let metric = r.metrics.get(name);
    if (!metric) r.metrics.set(name, (metric = make()));
    return metric;
  }

  /** Start time of a cumulative series: first sight, or the scrape where it went down (reset). */
  private startTime(key: string, value: number, tsMs: number): bigint {
    const st = this.starts.get(key);
    if (!st || value < st.last) {
      const start = ms2ns(tsMs);
      this.starts.set(key, { start, last: value });
      return start;
    }
    st.last = value;
    return st.start;
  }

  private remember(job: string, instance: string, metric: Metric, point: Point): void {
    this.cur.set(`${job}\u0000${instance}\u0000${metric.name}\u0000${attrsKey(point.attributes)}`, { job, instance, metric, point });
  }

  /** Converts one scrape; returns the batch and the number of samples left after relabelling. */
  convert(families: ParsedFamily[], scrapeMs: number): { md: MetricsData; kept: number; added: number } {
    this.resources.clear();
    this.cur = new Map();
    let kept = 0;
    for (const f of families) {
      if (f.type === 'histogram') kept += this.histograms(f, scrapeMs);
      else if (f.type === 'summary') kept += this.summaries(f, scrapeMs);
      else kept += this.numbers(f, scrapeMs);
    }
    const stale = this.staleFor(this.cur, scrapeMs);
    let added = 0;
    for (const k of this.cur.keys()) if (!this.prev.has(k)) added++;
    this.prev = this.cur;
    return { md: this.build(stale), kept, added };
  }

  /** The target is down: every series from the last scrape goes stale. */
  staleAll(scrapeMs: number): MetricsData {
    this.resources.clear();
    const stale = this.staleFor(new Map(), scrapeMs);
    this.prev = new Map();
    return this.build(stale);
  }

  private staleFor(now: Map<string, Series>, scrapeMs: number): Series[] {
    const out: Series[] = [];
    for (const [k, s] of this.prev) {
      if (now.has(k)) continue;
      out.push({ ...s, point: { ...s.point, timeUnixNano: ms2ns(scrapeMs), flags: FLAG_NO_RECORDED_VALUE } as Point });
      this.starts.delete(k);
    }
    return out;
  }

  private build(stale: Series[]): MetricsData {
    for (const s of stale) {
      const m = this.metric(s.job, s.instance, `${s.metric.name}\u0000stale`, () => ({ ...s.metric, dataPoints: [] }) as Metric);
      if (m.type !== 'empty') (m.dataPoints as Point[]).push(s.point);
    }
    const md: MetricsData = { resourceMetrics: [] };
    for (const r of this.resources.values()) {
      const attributes: Attributes = { 'service.name': r.job, 'service.instance.id': r.instance };
      if (r.job === '') delete attributes['service.name'];
      if (r.instance === '') delete attributes['service.instance.id'];
      const u = URL.canParse(this.target.url) ? new URL(this.target.url) : undefined;
      if (u) {
        attributes['server.address'] = u.hostname;
        if (u.port) attributes['server.port'] = Number(u.port);
        attributes['url.scheme'] = this.target.scheme;
      }
      md.resourceMetrics.push({ resource: { attributes }, scopeMetrics: [{ scope: { name: '' }, metrics: [...r.metrics.values()] }] });
    }
    this.resources.clear();
    return md;
  }

  private numbers(f: ParsedFamily, scrapeMs: number): number {
    const counter = f.type === 'counter';
    const created = new Map<string, number>();
    if (counter)
      for (const s of f.samples)
        if (s.name === `${f.name}_created`) {
          const p = this.process(s, scrapeMs);
          if (p) created.set(`${p.job}\u0000${p.instance}\u0000${attrsKey(p.attrs)}`, s.value * 1000);
        }
    let kept = 0;
    for (const s of f.samples) {
      if (counter && s.name === `${f.name}_created`) continue;
      const p = this.process(s, scrapeMs);
      if (!p) continue;
      kept++;
      // A relabelled name no longer belongs to the family: keep it as a gauge.
      const isCounter = counter && (p.name === s.name);
      const metric = this.metric(p.job, p.instance, p.name, () =>
        isCounter
          ? { name: p.name, description: f.help, unit: '', type: 'sum', isMonotonic: true, aggregationTemporality: 2, dataPoints: [] }
          : { name: p.name, description: f.help, unit: '', type: 'gauge', dataPoints: [] },
      );
      if (metric.type !== 'sum' && metric.type !== 'gauge') continue;
      const point: NumberDataPoint = { attributes: p.attrs, startTimeUnixNano: 0n, timeUnixNano: ms2ns(p.ts), value: s.value };
      if (metric.type === 'sum') {
        const key = `${p.job}\u0000${p.instance}\u0000${p.name}\u0000${attrsKey(p.attrs)}`;
        const c = created.get(`${p.job}\u0000${p.instance}\u0000${attrsKey(p.attrs)}`);
        point.startTimeUnixNano = c !== undefined ? ms2ns(c) : this.startTime(key, s.value, p.ts);
      }
      if (s.exemplar) {
        const fa: Attributes = {};
        let traceId: Uint8Array | undefined;
        let spanId: Uint8Array | undefined;
        for (const l of s.exemplar.labels) {
          if (l.name === 'trace_id' && /^[0-9a-f]{32}$/i.test(l.value)) traceId = Buffer.from(l.value, 'hex');
          else if (l.name === 'span_id' && /^[0-9a-f]{16}$/i.test(l.value)) spanId = Buffer.from(l.value, 'hex');
          else fa[l.name] = l.value;
        }
        point.exemplars = [{ filteredAttributes: fa, timeUnixNano: ms2ns(s.exemplar.timestampMs ?? p.ts), value: s.exemplar.value, traceId, spanId }];
      }
      metric.dataPoints.push(point);
      this.remember(p.job, p.instance, metric, point);
    }
    return kept;
  }

  /**
   * A histogram's or summary's samples grouped per series: `label` (le or quantile) is taken out
   * of the attributes and handed to `add` with the sample; `kept` counts the samples processed.
   */
  private grouped<A extends { p: Processed }>(
    f: ParsedFamily, scrapeMs: number, label: string, init: (p: Processed) => A,
    add: (g: A, s: ParsedSample, labelValue: Attributes[string] | undefined, p: Processed) => void,
  ): { groups: Iterable<A>; kept: number } {
    const groups = new Map<string, A>();
    let kept = 0;
    for (const s of f.samples) {
      const p = this.process(s, scrapeMs);
      if (!p) continue;
      kept++;
      const v = p.attrs[label];
      delete p.attrs[label];
      const key = `${p.job}\u0000${p.instance}\u0000${attrsKey(p.attrs)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = init(p)));
      add(g, s, v, p);
    }
    return { groups: groups.values(), kept };
  }

  private histograms(f: ParsedFamily, scrapeMs: number): number {
    const { groups, kept } = this.grouped<{ p: Processed; buckets: [number, number][]; sum?: number; count?: number }>(f, scrapeMs, 'le', (p) => ({ p, buckets: [] }), (g, s, le, p) => {
      if (s.name === `${f.name}_bucket` && typeof le === 'string') {
        try {
          g.buckets.push([parseFloatValue(le), s.value]);
        } catch {
          /* an unparsable le is ignored, as Prometheus' histogram functions would */
        }
      } else if (s.name === `${f.name}_sum`) g.sum = s.value;
      else if (s.name === `${f.name}_count`) {
        g.count = s.value;
        g.p.ts = p.ts;
      }
    });
    for (const g of groups) {
      g.buckets.sort((a, b) => a[0] - b[0]);
      const bounds: number[] = [];
      const counts: number[] = [];
      let prev = 0;
      let inf: number | undefined;
      for (const [le, c] of g.buckets) {
        if (le === Infinity) {
          inf = c;
          continue;
        }
        bounds.push(le);
        counts.push(Math.max(0, c - prev));
        prev = c;
      }
      const count = g.count ?? inf ?? prev;
      counts.push(Math.max(0, (inf ?? count) - prev));
      const { p } = g;
      const metric = this.metric(p.job, p.instance, f.name, () => ({ name: f.name, description: f.help, unit: '', type: 'histogram', aggregationTemporality: 2, dataPoints: [] }));
      if (metric.type !== 'histogram') continue;
      const key = `${p.job}\u0000${p.instance}\u0000${f.name}\u0000${attrsKey(p.attrs)}`;
      const point: HistogramDataPoint = {
        attributes: p.attrs, startTimeUnixNano: this.startTime(key, count, p.ts), timeUnixNano: ms2ns(p.ts),
        count, sum: g.sum, bucketCounts: counts, explicitBounds: bounds,
      };
      metric.dataPoints.push(point);
      this.remember(p.job, p.instance, metric, point);
    }
    return kept;
  }

  private summaries(f: ParsedFamily, scrapeMs: number): number {
    const { groups, kept } = this.grouped<{ p: Processed; q: { quantile: number; value: number }[]; sum: number; count: number }>(f, scrapeMs, 'quantile', (p) => ({ p, q: [], sum: 0, count: 0 }), (g, s, q) => {
      if (s.name === f.name && typeof q === 'string') {
        try {
          g.q.push({ quantile: parseFloatValue(q), value: s.value });
        } catch {
          /* ignore an unparsable quantile */
        }
      } else if (s.name === `${f.name}_sum`) g.sum = s.value;
      else if (s.name === `${f.name}_count`) g.count = s.value;
    });
    for (const g of groups) {
      const { p } = g;
      const metric = this.metric(p.job, p.instance, f.name, () => ({ name: f.name, description: f.help, unit: '', type: 'summary', dataPoints: [] }));
      if (metric.type !== 'summary') continue;
      const key = `${p.job}\u0000${p.instance}\u0000${f.name}\u0000${attrsKey(p.attrs)}`;
      const point: SummaryDataPoint = {
        attributes: p.attrs, startTimeUnixNano: this.startTime(key, g.count, p.ts), timeUnixNano: ms2ns(p.ts),
        count: g.count, sum: g.sum, quantileValues: g.q.sort((a, b) => a.quantile - b.quantile),
      };
      metric.dataPoints.push(point);
      this.remember(p.job, p.instance, metric, point);
    }
    return kept;
  }
}
