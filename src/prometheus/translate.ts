// OTLP metrics -> Prometheus families/samples, per the OpenTelemetry Prometheus compatibility
// spec. One module serves the scrape exporter and remote-write so both expose identical
// series names and labels.
import type {
  AnyValue, Attributes, HistogramDataPoint, InstrumentationScope, Metric, MetricsData,
  NumberDataPoint, Resource, SummaryDataPoint,
} from '../pdata/types.js';
import { labelName, metricName, sanitizeMetricName, unitTokens, type MetricKind } from './names.js';
import { goFloat } from './floatfmt.js';
import { CacheNode, END, type LabelCache } from './labelcache.js';
import { labelsKey, sortLabels, type FamilyType, type Label, type PromFamily, type PromSample } from './model.js';

export interface TranslateOptions {
  addMetricSuffixes: boolean;
  namespace?: string;
  /** Promote every resource attribute to a label (`resource_to_telemetry_conversion`). */
  resourceToTelemetry: boolean;
  /** Emit `target_info` with the resource attributes that are not job/instance. */
  targetInfo: boolean;
  /** Add `otel_scope_name` / `otel_scope_version` labels. */
  scopeLabels: boolean;
  /** const_labels / external_labels: added unless the series already has the label. */
  extraLabels?: Record<string, string>;
  now?: () => number;
  /**
   * Remembers the sorted labels (and their series key) of gauge/counter samples by their OTLP
   * origin (resource, scope, metric, point attributes), so a series seen before costs one map
   * lookup instead of building and sorting its labels. Samples then share their `labels` array:
   * only for callers that never mutate labels (the scrape exporter). Bounded by its owner.
   */
  labelCache?: LabelCache;
}

export const defaultTranslateOptions: TranslateOptions = {
  addMetricSuffixes: true,
  resourceToTelemetry: false,
  targetInfo: true,
  scopeLabels: true,
};

/** OTLP's FLAG_NO_RECORDED_VALUE: the point marks a series that disappeared. */
export const FLAG_NO_RECORDED_VALUE = 1;

export interface TranslateResult {
  families: PromFamily[];
  /** OTLP points that could not be represented (e.g. exponential histograms, delta sums). */
  dropped: number;
  dropReasons: string[];
}

const SERVICE_KEYS = new Set(['service.name', 'service.namespace', 'service.instance.id']);

export function attrString(v: AnyValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Prometheus formatting of a float label value (`le`, `quantile`), as Go clients write it. */
export const formatFloat = goFloat;

/** Attributes to labels; sanitizing collisions join the values with `;` (sorted by original key). */
function addAttributes(out: Map<string, string>, attrs: Attributes | undefined): void {
  if (!attrs) return;
  // Fast path: no two keys sanitize to the same name (the usual case), so order does not matter.
  const seen = new Map<string, string>();
  let collision = false;
  for (const k in attrs) {
    const name = labelName(k);
    if (seen.has(name)) {
      collision = true;
      break;
    }
    seen.set(name, attrString(attrs[k] as AnyValue));
  }
  if (!collision) {
    for (const [k, v] of seen) if (k !== '' && v !== '') out.set(k, v);
    return;
  }
  const keys = Object.keys(attrs).sort();
  const local = new Map<string, string>();
  for (const k of keys) {
    const name = labelName(k);
    const value = attrString(attrs[k] as AnyValue);
    if (name === '' || value === '') continue;
    const prev = local.get(name);
    local.set(name, prev === undefined ? value : `${prev};${value}`);
  }
  for (const [k, v] of local) out.set(k, v);
}

/** The labels a resource and scope give every point, built only when a point needs them (label-cache misses). */
class Base {
  private m?: Map<string, string>;
  constructor(private readonly make: () => Map<string, string>) {}
  get map(): Map<string, string> {
    return (this.m ??= this.make());
  }
}

/** The Collector's mapping: job = service.namespace/service.name, instance = service.instance.id (else host.name). */
export function jobInstance(res: Resource): { job?: string; instance?: string } {
  const a = res.attributes;
  const name = a['service.name'];
  const ns = a['service.namespace'];
  const inst = a['service.instance.id'];
  const out: { job?: string; instance?: string } = {};
  if (name !== undefined && name !== null && attrString(name) !== '')
    out.job = ns !== undefined && ns !== null && attrString(ns) !== '' ? `${attrString(ns)}/${attrString(name)}` : attrString(name);
  if (inst !== undefined && inst !== null && attrString(inst) !== '') out.instance = attrString(inst);
  else {
    // No service instance (host receivers, agents without an SDK): the host is the instance, so
    // two hosts' series never collide and target_info joins on(job, instance) as usual.
    const host = a['host.name'];
    if (host !== undefined && host !== null && attrString(host) !== '') out.instance = attrString(host);
  }
  return out;
}

function scopeBase(resource: Base, scope: InstrumentationScope, opts: TranslateOptions): Map<string, string> {
  const m = new Map(resource.map);
  if (opts.scopeLabels) {
    if (scope.name) m.set('otel_scope_name', scope.name);
    if (scope.version) m.set('otel_scope_version', scope.version);
    if (scope.attributes)
      for (const [k, v] of Object.entries(scope.attributes)) {
        const val = attrString(v);
        if (val !== '') m.set(`otel_scope_${labelName(k).replace(/^key_/, '')}`, val);
      }
  }
  return m;
}

class Builder {
  readonly families = new Map<string, PromFamily>();
  dropped = 0;
  dropReasons = new Set<string>();
  constructor(readonly opts: TranslateOptions) {}

  family(name: string, type: FamilyType, help: string, unit: string): PromFamily {
    let f = this.families.get(name);
    if (!f) {
      f = { name, type, help, unit, samples: [] };
      this.families.set(name, f);
    }
    return f;
  }

  // The labels of the point last seen: histogram buckets and quantiles reuse them.
  private cache?: { base: Base; attrs: Attributes | undefined; ji: { job?: string; instance?: string }; labels: Label[] };

  private pointLabels(base: Base, attrs: Attributes | undefined, jobInst: { job?: string; instance?: string }): Label[] {
    const c = this.cache;
    if (c && c.base === base && c.attrs === attrs && c.ji === jobInst) return c.labels;
    const m = new Map<string, string>();
    for (const [k, v] of base.map) m.set(k, v);
    addAttributes(m, attrs);
    // job/instance come from the resource and win over same-named point attributes (spec).
    if (jobInst.job !== undefined) m.set('job', jobInst.job);
    if (jobInst.instance !== undefined) m.set('instance', jobInst.instance);
    if (this.opts.extraLabels)
      for (const [k, v] of Object.entries(this.opts.extraLabels)) if (!m.has(k) && v !== '') m.set(k, v);
    m.delete('__name__');
    const labels: Label[] = [];
    for (const [k, v] of m) if (v !== '') labels.push({ name: k, value: v });
    this.cache = { base, attrs, ji: jobInst, labels };
    return labels;
  }

  sample(
    fam: PromFamily, name: string, base: Base, attrs: Attributes | undefined,
    jobInst: { job?: string; instance?: string }, extra: [string, string] | undefined,
    value: number, tsMs: number, stale: boolean, origin?: CacheNode,
  ): void {
    const cache = this.opts.labelCache;
    if (cache && origin !== undefined && extra === undefined) {
      const n = origin.step(name).walk(attrs, attrString);
      let e = n.entry;
      if (!e) {
        const labels = this.labelsOf(name, base, attrs, jobInst, undefined);
        n.entry = e = { labels, key: labelsKey(labels) };
        cache.size++;
      }
      const s: PromSample = { labels: e.labels, value, timestampMs: tsMs, key: e.key };
      if (stale) {
        s.stale = true;
        s.value = NaN;
      }
      fam.samples.push(s);
      return;
    }
    const s: PromSample = { labels: this.labelsOf(name, base, attrs, jobInst, extra), value, timestampMs: tsMs };
    if (stale) {
      s.stale = true;
      s.value = NaN;
    }
    fam.samples.push(s);
  }

  private labelsOf(name: string, base: Base, attrs: Attributes | undefined, jobInst: { job?: string; instance?: string }, extra: [string, string] | undefined): Label[] {
    const labels = this.pointLabels(base, attrs, jobInst).slice();
    if (extra) {
      const i = labels.findIndex((l) => l.name === extra[0]);
      if (i >= 0) labels[i] = { name: extra[0], value: extra[1] };
      else labels.push({ name: extra[0], value: extra[1] });
    }
    labels.push({ name: '__name__', value: name });
    return sortLabels(labels);
  }
}

// The points of one scrape share their timestamp: convert it once.
let lastNs = -1n;
let lastMs = 0;
function tsMs(ns: bigint, now: () => number): number {
  if (ns <= 0n) return now();
  if (ns !== lastNs) {
    lastNs = ns;
    lastMs = Number(ns / 1_000_000n);
  }
  return lastMs;
}

function kindOf(m: Metric): MetricKind | undefined {
  switch (m.type) {
    case 'gauge':
      return 'gauge';
    case 'sum':
      return m.isMonotonic ? 'counter' : 'gauge';
    case 'histogram':
      return 'histogram';
    case 'summary':
      return 'summary';
    default:
      return undefined;
  }
}

function numberValue(p: NumberDataPoint): number {
  return typeof p.value === 'bigint' ? Number(p.value) : p.value;
}

export function translateMetrics(md: MetricsData, opts: TranslateOptions = defaultTranslateOptions): TranslateResult {
  const b = new Builder(opts);
  const now = opts.now ?? Date.now;
  const cache = opts.labelCache;
  for (const rm of md.resourceMetrics) {
    const ji = jobInstance(rm.resource);
    const base = new Base(() => {
      const m = new Map<string, string>();
      if (opts.resourceToTelemetry) addAttributes(m, rm.resource.attributes);
      return m;
    });
    // What of the resource reaches the point labels: job/instance, and all with resourceToTelemetry.
    let rnode: CacheNode | undefined;
    if (cache) {
      rnode = cache.root.step(ji.job ?? '').step(ji.instance ?? '');
      rnode = opts.resourceToTelemetry ? rnode.walk(rm.resource.attributes, attrString) : rnode.step(END);
    }
    let latest = 0;
    for (const sm of rm.scopeMetrics) {
      const sb = new Base(() => scopeBase(base, sm.scope, opts));
      const origin = rnode && (opts.scopeLabels ? rnode.step(sm.scope.name ?? '').step(sm.scope.version ?? '').walk(sm.scope.attributes, attrString) : rnode.step(END));
      for (const m of sm.metrics) latest = Math.max(latest, translateMetric(b, m, sb, ji, now, origin));
    }
    if (opts.targetInfo && latest > 0) emitTargetInfo(b, rm.resource, ji, latest, cache?.root.step(TARGET_INFO).step(ji.job ?? '').step(ji.instance ?? ''));
  }
  return { families: [...b.families.values()], dropped: b.dropped, dropReasons: [...b.dropReasons] };
}

const TARGET_INFO = Symbol('target_info');

function emitTargetInfo(b: Builder, res: Resource, ji: { job?: string; instance?: string }, ts: number, origin: CacheNode | undefined): void {
  const attrs: Attributes = {};
  let n = 0;
  for (const k in res.attributes)
    if (!SERVICE_KEYS.has(k)) {
      attrs[k] = res.attributes[k] as AnyValue;
      n++;
    }
  if (n === 0) return;
  const name = b.opts.namespace ? sanitizeMetricName(`${b.opts.namespace}_target_info`) : 'target_info';
  const fam = b.family(name, 'gauge', 'Target metadata', '');
  b.sample(fam, name, EMPTY_BASE, attrs, ji, undefined, 1, ts, false, origin);
}

const EMPTY_BASE = new Base(() => new Map());

/** Returns the latest timestamp (ms) written, 0 if none. */
function translateMetric(b: Builder, m: Metric, base: Base, ji: { job?: string; instance?: string }, now: () => number, origin: CacheNode | undefined): number {
  const kind = kindOf(m);
  if (m.type === 'empty') return 0;
  if (!kind) {
    b.dropped += m.dataPoints.length;
    b.dropReasons.add(`${m.type} metrics have no Prometheus classic representation (${m.name})`);
    return 0;
  }
  if ((m.type === 'sum' || m.type === 'histogram') && m.aggregationTemporality !== 2) {
    // Delta points must be accumulated before translation (see DeltaAccumulator).
    b.dropped += m.dataPoints.length;
    b.dropReasons.add(`delta temporality is not accumulated (${m.name})`);
    return 0;
  }
  const name = cachedMetricName(m.name, m.unit, kind, b.opts);
  const fam = b.family(name, kind, m.description ?? '', b.opts.addMetricSuffixes ? unitWords(m.unit) : '');
  let latest = 0;
  fam.points = (fam.points ?? 0) + m.dataPoints.length;
  if (m.type === 'gauge' || m.type === 'sum') {
    for (const p of m.dataPoints) {
      const t = tsMs(p.timeUnixNano, now);
      latest = Math.max(latest, t);
      b.sample(fam, name, base, p.attributes, ji, undefined, numberValue(p), t, stale(p.flags), origin);
    }
  } else if (m.type === 'histogram') {
    for (const p of m.dataPoints) latest = Math.max(latest, histogram(b, fam, name, base, ji, p, now));
  } else if (m.type === 'summary') {
    for (const p of m.dataPoints) latest = Math.max(latest, summary(b, fam, name, base, ji, p, now));
  }
  return latest;
}

// Metric names repeat in every batch (and per resource): translate each once per options.
const nameCaches = new WeakMap<TranslateOptions, Map<string, Map<string, string>>>();
function cachedMetricName(name: string, unit: string | undefined, kind: MetricKind, opts: TranslateOptions): string {
  let c = nameCaches.get(opts);
  if (!c) nameCaches.set(opts, (c = new Map()));
  let byName = c.get(name);
  if (!byName) {
    if (c.size >= 10_000) c.clear();
    c.set(name, (byName = new Map()));
  }
  const uk = kind + (unit ?? '');
  let n = byName.get(uk);
  if (n === undefined) byName.set(uk, (n = metricName(name, unit, kind, { addSuffixes: opts.addMetricSuffixes, namespace: opts.namespace })));
  return n;
}

const unitCache = new Map<string, string>();
function unitWords(unit: string | undefined): string {
  const u = unit ?? '';
  let w = unitCache.get(u);
  if (w === undefined) {
    w = unitTokens(u).join('_');
    if (unitCache.size < 10_000) unitCache.set(u, w);
  }
  return w;
}

function stale(flags: number | undefined): boolean {
  return ((flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
}

function histogram(
  b: Builder, fam: PromFamily, name: string, base: Base,
  ji: { job?: string; instance?: string }, p: HistogramDataPoint, now: () => number,
): number {
  const t = tsMs(p.timeUnixNano, now);
  const st = stale(p.flags);
  let cum = 0;
  for (let i = 0; i < p.explicitBounds.length; i++) {
    cum += p.bucketCounts[i] ?? 0;
    b.sample(fam, `${name}_bucket`, base, p.attributes, ji, ['le', formatFloat(p.explicitBounds[i]!)], cum, t, st);
  }
  b.sample(fam, `${name}_bucket`, base, p.attributes, ji, ['le', '+Inf'], p.count, t, st);
  if (p.sum !== undefined) b.sample(fam, `${name}_sum`, base, p.attributes, ji, undefined, p.sum, t, st);
  b.sample(fam, `${name}_count`, base, p.attributes, ji, undefined, p.count, t, st);
  return t;
}

function summary(
  b: Builder, fam: PromFamily, name: string, base: Base,
  ji: { job?: string; instance?: string }, p: SummaryDataPoint, now: () => number,
): number {
  const t = tsMs(p.timeUnixNano, now);
  const st = stale(p.flags);
  for (const q of p.quantileValues)
    b.sample(fam, name, base, p.attributes, ji, ['quantile', formatFloat(q.quantile)], q.value, t, st);
  b.sample(fam, `${name}_sum`, base, p.attributes, ji, undefined, p.sum, t, st);
  b.sample(fam, `${name}_count`, base, p.attributes, ji, undefined, p.count, t, st);
  return t;
}
