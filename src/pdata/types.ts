// In-memory data model: mirrors OTLP (opentelemetry-proto) so that OTLP in/out is a codec,
// not a conversion. Conventions (see docs/data-model.md):
// - a JS `number` is a protobuf double, a JS `bigint` is a protobuf int64 (AnyValue.intValue,
//   NumberDataPoint.asInt, Exemplar.asInt);
// - timestamps are `bigint` nanoseconds since the Unix epoch (0n = unset);
// - trace/span ids are raw bytes (`Uint8Array`, empty = unset); hex only in JSON.

export type AnyValue =
  | string
  | boolean
  | number
  | bigint
  | Uint8Array
  | null
  | AnyValue[]
  | KvList;

export interface KvList {
  [key: string]: AnyValue;
}

/** Attribute map. OTLP forbids duplicate keys, so a plain object loses nothing. */
export type Attributes = Record<string, AnyValue>;

export interface Resource {
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface InstrumentationScope {
  name: string;
  version?: string;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

// ---------- metrics ----------

export const enum AggregationTemporality {
  Unspecified = 0,
  Delta = 1,
  Cumulative = 2,
}

export interface Exemplar {
  filteredAttributes?: Attributes;
  timeUnixNano: bigint;
  value: number | bigint;
  spanId?: Uint8Array;
  traceId?: Uint8Array;
}

export interface NumberDataPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  value: number | bigint;
  exemplars?: Exemplar[];
  flags?: number;
}

export interface HistogramDataPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum?: number;
  bucketCounts: number[];
  explicitBounds: number[];
  exemplars?: Exemplar[];
  flags?: number;
  min?: number;
  max?: number;
}

export interface ExpHistogramBuckets {
  offset: number;
  bucketCounts: number[];
}

export interface ExponentialHistogramDataPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum?: number;
  scale: number;
  zeroCount: number;
  positive: ExpHistogramBuckets;
  negative: ExpHistogramBuckets;
  flags?: number;
  exemplars?: Exemplar[];
  min?: number;
  max?: number;
  zeroThreshold?: number;
}

export interface ValueAtQuantile {
  quantile: number;
  value: number;
}

export interface SummaryDataPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum: number;
  quantileValues: ValueAtQuantile[];
  flags?: number;
}

interface MetricBase {
  name: string;
  description?: string;
  unit?: string;
  metadata?: Attributes;
}

export interface GaugeMetric extends MetricBase {
  type: 'gauge';
  dataPoints: NumberDataPoint[];
}
export interface SumMetric extends MetricBase {
  type: 'sum';
  aggregationTemporality: AggregationTemporality;
  isMonotonic: boolean;
  dataPoints: NumberDataPoint[];
}
export interface HistogramMetric extends MetricBase {
  type: 'histogram';
  aggregationTemporality: AggregationTemporality;
  dataPoints: HistogramDataPoint[];
}
export interface ExponentialHistogramMetric extends MetricBase {
  type: 'exponentialHistogram';
  aggregationTemporality: AggregationTemporality;
  dataPoints: ExponentialHistogramDataPoint[];
}
export interface SummaryMetric extends MetricBase {
  type: 'summary';
  dataPoints: SummaryDataPoint[];
}
/** A metric with no data (OTLP allows it); kept so that round trips lose nothing. */
export interface EmptyMetric extends MetricBase {
  type: 'empty';
}

export type Metric =
  | GaugeMetric
  | SumMetric
  | HistogramMetric
  | ExponentialHistogramMetric
  | SummaryMetric
  | EmptyMetric;

export interface ScopeMetrics {
  scope: InstrumentationScope;
  metrics: Metric[];
  schemaUrl?: string;
}

export interface ResourceMetrics {
  resource: Resource;
  scopeMetrics: ScopeMetrics[];
  schemaUrl?: string;
}

export interface MetricsData {
  resourceMetrics: ResourceMetrics[];
}

// ---------- logs ----------

export interface LogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText?: string;
  body: AnyValue;
  attributes: Attributes;
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  eventName?: string;
}

export interface ScopeLogs {
  scope: InstrumentationScope;
  logRecords: LogRecord[];
  schemaUrl?: string;
}

export interface ResourceLogs {
  resource: Resource;
  scopeLogs: ScopeLogs[];
  schemaUrl?: string;
}

export interface LogsData {
  resourceLogs: ResourceLogs[];
}

// ---------- traces ----------

export const enum SpanKind {
  Unspecified = 0,
  Internal = 1,
  Server = 2,
  Client = 3,
  Producer = 4,
  Consumer = 5,
}

export const enum StatusCode {
  Unset = 0,
  Ok = 1,
  Error = 2,
}

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface SpanLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState?: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
  flags?: number;
}

export interface Span {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState?: string;
  parentSpanId?: Uint8Array;
  flags?: number;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  droppedAttributesCount?: number;
  events: SpanEvent[];
  droppedEventsCount?: number;
  links: SpanLink[];
  droppedLinksCount?: number;
  status: { code: StatusCode; message?: string };
}

export interface ScopeSpans {
  scope: InstrumentationScope;
  spans: Span[];
  schemaUrl?: string;
}

export interface ResourceSpans {
  resource: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl?: string;
}

export interface TracesData {
  resourceSpans: ResourceSpans[];
}

// ---------- signals ----------

export type Signal = 'metrics' | 'logs' | 'traces';
export const SIGNALS: readonly Signal[] = ['metrics', 'logs', 'traces'];

export interface SignalData {
  metrics: MetricsData;
  logs: LogsData;
  traces: TracesData;
}
