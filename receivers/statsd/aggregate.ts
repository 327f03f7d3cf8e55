// Aggregates parsed samples per (name, type, attributes) over one aggregation interval and
// turns them into OTLP metrics: counters → delta sums, gauges → gauges (kept across intervals
// so +/- changes apply to the last value), sets → gauge of distinct members, timers and
// histograms → exponential histogram, summary or gauge per timer_histogram_mapping.
import {
  AggregationTemporality,
  type Attributes,
  type ExponentialHistogramMetric,
  type GaugeMetric,
  type Metric,
  type SumMetric,
  type SummaryDataPoint,
  type SummaryMetric,
} from '../../src/pdata/types.js';
import type { Config, Mapping } from './config.js';
import { ExpHistogram } from './expohisto.js';
import type { Sample, SampleType } from './parse.js';

type Observed = 'timing' | 'histogram' | 'distribution';

interface Series {
  name: string;
  type: SampleType;
  attrs: Attributes;
  value: number;
  members?: Set<string>;
  hist?: ExpHistogram;
  /** Summary and gauge observers: raw values with weights. */
  values?: number[];
  weights?: number[];
  touched: boolean;
  /** Flushes since a gauge was last set. */
  idle: number;
}

const GAUGE_IDLE_INTERVALS = 5;

// Summaries keep raw values; beyond this many per series the oldest half is thinned.
const MAX_SUMMARY_VALUES = 100_000;

export class Aggregator {
  private series = new Map<string, Series>();
  private readonly mapping = new Map<Observed, Mapping>();

  constructor(private readonly cfg: Config) {
    for (const m of cfg.timer_histogram_mapping) {
      const t: Observed = m.statsd_type === 'timer' ? 'timing' : m.statsd_type;
      this.mapping.set(t, m);
    }
    // Unmapped types get the default once here, not a fresh object per sample.
    for (const t of ['timing', 'histogram', 'distribution'] as const)
      if (!this.mapping.has(t)) this.mapping.set(t, { statsd_type: t, observer_type: 'histogram', histogram: { max_size: 160 }, summary: { percentiles: [0, 10, 50, 90, 95, 100] } });
  }

  private observer(t: Observed): Mapping {
    return this.mapping.get(t)!;
  }

  get size(): number {
    return this.series.size;
  }

  /** Adds a sample; false when it would open a series beyond max_series (refused). */
  add(s: Sample): boolean {
    const attrs = this.cfg.enable_metric_type ? { ...s.attrs, metric_type: s.type } : s.attrs;
    const key = `${s.type}\0${s.name}\0${Object.keys(attrs).sort().map((k) => `${k}=${String(attrs[k])}`).join('\0')}`;
    let ser = this.series.get(key);
    if (!ser) {
      if (this.series.size >= this.cfg.max_series) return false;
      ser = { name: s.name, type: s.type, attrs, value: 0, touched: false, idle: 0 };
      this.series.set(key, ser);
    }
    ser.touched = true;
    switch (s.type) {
      case 'counter':
        ser.value += s.values[0]! / s.rate;
        break;
      case 'gauge':
        ser.value = s.delta ? ser.value + s.values[0]! : s.values[0]!;
        break;
      case 'set':
        (ser.members ??= new Set()).add(s.member!);
        break;
      default: {
        const m = this.observer(s.type);
        if (m.observer_type === 'histogram') {
          ser.hist ??= new ExpHistogram(m.histogram.max_size);
          for (const v of s.values) ser.hist.add(v, 1 / s.rate);
        } else {
          ser.values ??= [];
          ser.weights ??= [];
          for (const v of s.values) {
            ser.values.push(v);
            ser.weights.push(1 / s.rate);
          }
          if (ser.values.length > MAX_SUMMARY_VALUES) {
            ser.values = ser.values.filter((_, i) => i % 2 === 1);
            ser.weights = ser.weights.filter((_, i) => i % 2 === 1).map((w) => w * 2);
          }
        }
      }
    }
    return true;
  }

  /** Metrics for the interval (start, now]; resets everything but gauge values. */
  flush(start: bigint, now: bigint): Metric[] {
    const byName = new Map<string, Metric>();
    const get = <M extends Metric>(name: string, type: Metric['type'], make: () => M): M => {
      const key = `${type}\0${name}`;
      let m = byName.get(key) as M | undefined;
      if (!m) byName.set(key, (m = make()));
      return m;
    };
    for (const [key, s] of this.series) {
      if (!s.touched) {
        // An idle gauge is kept a few intervals for +/- changes, then forgotten (bounded memory).
        if (++s.idle > GAUGE_IDLE_INTERVALS) this.series.delete(key);
        continue;
      }
      s.idle = 0;
      switch (s.type) {
        case 'counter': {
          const m = get(s.name, 'sum', (): SumMetric => ({ type: 'sum' as const, name: s.name, aggregationTemporality: AggregationTemporality.Delta, isMonotonic: this.cfg.is_monotonic_counter, dataPoints: [] }));
          m.dataPoints.push({ attributes: s.attrs, startTimeUnixNano: start, timeUnixNano: now, value: Number.isInteger(s.value) && Math.abs(s.value) <= Number.MAX_SAFE_INTEGER ? BigInt(s.value) : s.value });
          break;
        }
        case 'gauge':
        case 'set': {
          const m = get(s.name, 'gauge', (): GaugeMetric => ({ type: 'gauge' as const, name: s.name, dataPoints: [] }));
          const v = s.type === 'set' ? BigInt(s.members!.size) : s.value;
          m.dataPoints.push({ attributes: s.attrs, startTimeUnixNano: 0n, timeUnixNano: now, value: v });
          break;
        }
        default: {
          const obs = this.observer(s.type as Observed);
          if (s.hist) {
            const m = get(s.name, 'exponentialHistogram', (): ExponentialHistogramMetric => ({ type: 'exponentialHistogram' as const, name: s.name, aggregationTemporality: AggregationTemporality.Delta, dataPoints: [] }));
            m.dataPoints.push(s.hist.point(s.attrs, start, now));
          } else if (obs.observer_type === 'summary') {
            const m = get(s.name, 'summary', (): SummaryMetric => ({ type: 'summary' as const, name: s.name, dataPoints: [] }));
            m.dataPoints.push(summaryPoint(s.values!, s.weights!, obs.summary.percentiles, s.attrs, start, now));
          } else {
            // gauge observer: the last value seen in the interval
            const m = get(s.name, 'gauge', (): GaugeMetric => ({ type: 'gauge' as const, name: s.name, dataPoints: [] }));
            m.dataPoints.push({ attributes: s.attrs, startTimeUnixNano: 0n, timeUnixNano: now, value: s.values![s.values!.length - 1]! });
          }
        }
      }
      if (s.type === 'gauge') s.touched = false;
      else this.series.delete(key);
    }
    return [...byName.values()];
  }
}

/** Weighted percentiles: the smallest value whose cumulative weight reaches p% of the total. */
export function summaryPoint(values: number[], weights: number[], percentiles: number[], attributes: Attributes, start: bigint, now: bigint): SummaryDataPoint {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    total += weights[i]!;
    sum += values[i]! * weights[i]!;
  }
  const quantileValues = percentiles.map((p) => {
    if (p === 0) return { quantile: 0, value: values[order[0]!]! };
    const target = (p / 100) * total;
    let acc = 0;
    for (const i of order) {
      acc += weights[i]!;
      if (acc >= target - 1e-9) return { quantile: p / 100, value: values[i]! };
    }
    return { quantile: p / 100, value: values[order[order.length - 1]!]! };
  });
  return { attributes, startTimeUnixNano: start, timeUnixNano: now, count: Math.round(total), sum, quantileValues };
}
