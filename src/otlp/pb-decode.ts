// OTLP protobuf decoding into the pdata model. Unknown fields are skipped; a known field with
// the wrong wire type, a truncated or over-long length, or excessive nesting is an
// OtlpDecodeError. Each sub-message narrows `r.end`, so no read can escape its parent.
import type {
  AnyValue, Attributes, Exemplar, ExpHistogramBuckets, ExponentialHistogramDataPoint, HistogramDataPoint,
  InstrumentationScope, KvList, LogRecord, LogsData, Metric, MetricsData, NumberDataPoint, Resource, ResourceLogs,
  ResourceMetrics, ResourceSpans, ScopeLogs, ScopeMetrics, ScopeSpans, Signal, SignalData, Span, SpanEvent, SpanLink,
  SummaryDataPoint, TracesData,
} from '../pdata/types.js';
import { KV_COST, PbReader, sub, wrongWire } from '../protobuf/reader.js';

/** What an empty span costs beyond MSG_COST (measured in bench/otlp/cost.ts). */
export const SPAN_EXTRA_COST = 480;
import { MAX_DEPTH, OtlpCostError } from './errors.js';
import { setAttr } from './attrs.js';

function expect(r: PbReader, f: number, w: number, want: number): void {
  if (w !== want) wrongWire(r, f, w);
}

function anyValue(r: PbReader, depth: number): AnyValue {
  if (depth > MAX_DEPTH) r.fail(`AnyValue nested deeper than ${MAX_DEPTH}`);
  let v: AnyValue = null;
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 1:
        expect(r, f, w, 2);
        v = r.string();
        break;
      case 2:
        expect(r, f, w, 0);
        v = r.varint64() !== 0n;
        break;
      case 3:
        expect(r, f, w, 0);
        v = r.int64();
        break;
      case 4:
        expect(r, f, w, 1);
        v = r.double();
        break;
      case 5: {
        expect(r, f, w, 2);
        const arr: AnyValue[] = [];
        sub(r, (r) => {
          while (r.pos < r.end) {
            const t2 = r.varint();
            if (t2 >>> 3 === 1) {
              expect(r, 1, t2 & 7, 2);
              arr.push(sub(r, (r) => anyValue(r, depth + 1)));
            } else skipField(r, t2);
          }
        });
        v = arr;
        break;
      }
      case 6: {
        expect(r, f, w, 2);
        v = sub(r, (r) => kvList(r, 1, depth + 1));
        break;
      }
      case 7:
        expect(r, f, w, 2);
        v = r.bytes();
        break;
      default:
        skipField(r, t);
    }
  }
  return v;
}

function skipField(r: PbReader, t: number): void {
  if (t >>> 3 === 0) r.fail('field number 0');
  r.skip(t & 7);
}

/** Reads repeated KeyValue `field` entries until r.end (used for kvlist bodies). */
function kvList(r: PbReader, field: number, depth: number): KvList {
  const out: KvList = {};
  while (r.pos < r.end) {
    const t = r.varint();
    if (t >>> 3 === field) {
      expect(r, field, t & 7, 2);
      keyValue(r, out, depth);
    } else skipField(r, t);
  }
  return out;
}

function keyValue(r: PbReader, out: Attributes, depth: number): void {
  const e = r.lenEnd();
  r.charge(KV_COST);
  const saved = r.end;
  r.end = e;
  let key = '';
  let value: AnyValue = null;
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    if (f === 1) {
      expect(r, f, t & 7, 2);
      key = r.string();
    } else if (f === 2) {
      expect(r, f, t & 7, 2);
      const ve = r.lenEnd();
      const vsaved = r.end;
      r.end = ve;
      value = anyValue(r, depth);
      r.end = vsaved;
    } else skipField(r, t);
  }
  r.end = saved;
  setAttr(out, key, value);
}

function resource(r: PbReader): Resource {
  const res: Resource = { attributes: {} };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    if (f === 1) {
      expect(r, f, t & 7, 2);
      keyValue(r, res.attributes, 0);
    } else if (f === 2) {
      expect(r, f, t & 7, 0);
      const n = r.varint32();
      if (n) res.droppedAttributesCount = n >>> 0;
    } else skipField(r, t);
  }
  return res;
}

function scope(r: PbReader): InstrumentationScope {
  const s: InstrumentationScope = { name: '' };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 1:
        expect(r, f, w, 2);
        s.name = r.string();
        break;
      case 2: {
        expect(r, f, w, 2);
        const v = r.string();
        if (v) s.version = v;
        break;
      }
      case 3:
        expect(r, f, w, 2);
        keyValue(r, (s.attributes ??= {}), 0);
        break;
      case 4: {
        expect(r, f, w, 0);
        const n = r.varint32();
        if (n) s.droppedAttributesCount = n >>> 0;
        break;
      }
      default:
        skipField(r, t);
    }
  }
  return s;
}

function exemplar(r: PbReader): Exemplar {
  const e: Exemplar = { timeUnixNano: 0n, value: 0 };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 2:
        expect(r, f, w, 1);
        e.timeUnixNano = r.fixed64();
        break;
      case 3:
        expect(r, f, w, 1);
        e.value = r.double();
        break;
      case 6:
        expect(r, f, w, 1);
        e.value = r.sfixed64();
        break;
      case 4: {
        expect(r, f, w, 2);
        const b = r.id(8, 'exemplar span_id');
        if (b.length) e.spanId = b;
        break;
      }
      case 5: {
        expect(r, f, w, 2);
        const b = r.id(16, 'exemplar trace_id');
        if (b.length) e.traceId = b;
        break;
      }
      case 7:
        expect(r, f, w, 2);
        keyValue(r, (e.filteredAttributes ??= {}), 0);
        break;
      default:
        skipField(r, t);
    }
  }
  return e;
}

function flagsU32(r: PbReader, f: number, w: number): number {
  expect(r, f, w, 0);
  return r.varint32() >>> 0;
}

function numberPoint(r: PbReader): NumberDataPoint {
  const p: NumberDataPoint = { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 0n, value: 0 };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 7:
        expect(r, f, w, 2);
        keyValue(r, p.attributes, 0);
        break;
      case 2:
        expect(r, f, w, 1);
        p.startTimeUnixNano = r.fixed64();
        break;
      case 3:
        expect(r, f, w, 1);
        p.timeUnixNano = r.fixed64();
        break;
      case 4:
        expect(r, f, w, 1);
        p.value = r.double();
        break;
      case 6:
        expect(r, f, w, 1);
        p.value = r.sfixed64();
        break;
      case 5:
        expect(r, f, w, 2);
        (p.exemplars ??= []).push(sub(r, exemplar));
        break;
      case 8: {
        const n = flagsU32(r, f, w);
        if (n) p.flags = n;
        break;
      }
      default:
        skipField(r, t);
    }
  }
  return p;
}

/** repeated fixed64 counts, packed or not. */
function fixed64s(r: PbReader, w: number, out: number[]): void {
  if (w === 1) {
    out.push(r.fixed64n());
    return;
  }
  if (w !== 2) r.fail(`repeated fixed64 with wire type ${w}`);
  const e = r.lenEnd();
  if ((e - r.pos) % 8) r.fail('packed fixed64 length not a multiple of 8');
  while (r.pos < e) out.push(r.fixed64n());
}

function doubles(r: PbReader, w: number, out: number[]): void {
  if (w === 1) {
    out.push(r.double());
    return;
  }
  if (w !== 2) r.fail(`repeated double with wire type ${w}`);
  const e = r.lenEnd();
  if ((e - r.pos) % 8) r.fail('packed double length not a multiple of 8');
  while (r.pos < e) out.push(r.double());
}

function histPoint(r: PbReader): HistogramDataPoint {
  const p: HistogramDataPoint = { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 0n, count: 0, bucketCounts: [], explicitBounds: [] };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 9:
        expect(r, f, w, 2);
        keyValue(r, p.attributes, 0);
        break;
      case 2:
        expect(r, f, w, 1);
        p.startTimeUnixNano = r.fixed64();
        break;
      case 3:
        expect(r, f, w, 1);
        p.timeUnixNano = r.fixed64();
        break;
      case 4:
        expect(r, f, w, 1);
        p.count = r.fixed64n();
        break;
      case 5:
        expect(r, f, w, 1);
        p.sum = r.double();
        break;
      case 6:
        fixed64s(r, w, p.bucketCounts);
        break;
      case 7:
        doubles(r, w, p.explicitBounds);
        break;
      case 8:
        expect(r, f, w, 2);
        (p.exemplars ??= []).push(sub(r, exemplar));
        break;
      case 10: {
        const n = flagsU32(r, f, w);
        if (n) p.flags = n;
        break;
      }
      case 11:
        expect(r, f, w, 1);
        p.min = r.double();
        break;
      case 12:
        expect(r, f, w, 1);
        p.max = r.double();
        break;
      default:
        skipField(r, t);
    }
  }
  return p;
}

function zigzag32(r: PbReader): number {
  return r.sint32();
}

function expBuckets(r: PbReader): ExpHistogramBuckets {
  const b: ExpHistogramBuckets = { offset: 0, bucketCounts: [] };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1) {
      expect(r, f, w, 0);
      b.offset = zigzag32(r);
    } else if (f === 2) {
      if (w === 0) {
        r.charge(8);
        b.bucketCounts.push(r.varint());
      } else {
        expect(r, f, w, 2);
        const e = r.lenEnd();
        r.charge(8 * (e - r.pos));
        while (r.pos < e) b.bucketCounts.push(r.varint());
        if (r.pos !== e) r.fail('packed varints overrun');
      }
    } else skipField(r, t);
  }
  return b;
}

function expPoint(r: PbReader): ExponentialHistogramDataPoint {
  const p: ExponentialHistogramDataPoint = {
    attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 0n, count: 0, scale: 0, zeroCount: 0,
    positive: { offset: 0, bucketCounts: [] }, negative: { offset: 0, bucketCounts: [] },
  };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 1:
        expect(r, f, w, 2);
        keyValue(r, p.attributes, 0);
        break;
      case 2:
        expect(r, f, w, 1);
        p.startTimeUnixNano = r.fixed64();
        break;
      case 3:
        expect(r, f, w, 1);
        p.timeUnixNano = r.fixed64();
        break;
      case 4:
        expect(r, f, w, 1);
        p.count = r.fixed64n();
        break;
      case 5:
        expect(r, f, w, 1);
        p.sum = r.double();
        break;
      case 6:
        expect(r, f, w, 0);
        p.scale = zigzag32(r);
        break;
      case 7:
        expect(r, f, w, 1);
        p.zeroCount = r.fixed64n();
        break;
      case 8:
        expect(r, f, w, 2);
        p.positive = sub(r, expBuckets);
        break;
      case 9:
        expect(r, f, w, 2);
        p.negative = sub(r, expBuckets);
        break;
      case 10: {
        const n = flagsU32(r, f, w);
        if (n) p.flags = n;
        break;
      }
      case 11:
        expect(r, f, w, 2);
        (p.exemplars ??= []).push(sub(r, exemplar));
        break;
      case 12:
        expect(r, f, w, 1);
        p.min = r.double();
        break;
      case 13:
        expect(r, f, w, 1);
        p.max = r.double();
        break;
      case 14:
        expect(r, f, w, 1);
        p.zeroThreshold = r.double();
        break;
      default:
        skipField(r, t);
    }
  }
  return p;
}

function summaryPoint(r: PbReader): SummaryDataPoint {
  const p: SummaryDataPoint = { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 0n, count: 0, sum: 0, quantileValues: [] };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 7:
        expect(r, f, w, 2);
        keyValue(r, p.attributes, 0);
        break;
      case 2:
        expect(r, f, w, 1);
        p.startTimeUnixNano = r.fixed64();
        break;
      case 3:
        expect(r, f, w, 1);
        p.timeUnixNano = r.fixed64();
        break;
      case 4:
        expect(r, f, w, 1);
        p.count = r.fixed64n();
        break;
      case 5:
        expect(r, f, w, 1);
        p.sum = r.double();
        break;
      case 6:
        expect(r, f, w, 2);
        p.quantileValues.push(
          sub(r, (r) => {
            const q = { quantile: 0, value: 0 };
            while (r.pos < r.end) {
              const t2 = r.varint();
              const f2 = t2 >>> 3;
              if (f2 === 1 || f2 === 2) {
                expect(r, f2, t2 & 7, 1);
                if (f2 === 1) q.quantile = r.double();
                else q.value = r.double();
              } else skipField(r, t2);
            }
            return q;
          }),
        );
        break;
      case 8: {
        const n = flagsU32(r, f, w);
        if (n) p.flags = n;
        break;
      }
      default:
        skipField(r, t);
    }
  }
  return p;
}

/** Gauge/Sum/Histogram/... body: data_points=1, aggregation_temporality=2, is_monotonic=3. */
function metricData<P>(r: PbReader, point: (r: PbReader) => P): { points: P[]; temporality: number; monotonic: boolean } {
  const out = { points: [] as P[], temporality: 0, monotonic: false };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1) {
      expect(r, f, w, 2);
      out.points.push(sub(r, point));
    } else if (f === 2) {
      expect(r, f, w, 0);
      out.temporality = r.varint32();
    } else if (f === 3) {
      expect(r, f, w, 0);
      out.monotonic = r.varint64() !== 0n;
    } else skipField(r, t);
  }
  return out;
}

function metric(r: PbReader): Metric {
  let m: Metric = { type: 'empty', name: '' };
  let name = '';
  let description: string | undefined;
  let unit: string | undefined;
  let metadata: Attributes | undefined;
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 1:
        expect(r, f, w, 2);
        name = r.string();
        break;
      case 2: {
        expect(r, f, w, 2);
        const v = r.string();
        description = v || undefined;
        break;
      }
      case 3: {
        expect(r, f, w, 2);
        const v = r.string();
        unit = v || undefined;
        break;
      }
      case 5: {
        expect(r, f, w, 2);
        const d = sub(r, (r) => metricData(r, numberPoint));
        m = { type: 'gauge', name: '', dataPoints: d.points };
        break;
      }
      case 7: {
        expect(r, f, w, 2);
        const d = sub(r, (r) => metricData(r, numberPoint));
        m = { type: 'sum', name: '', dataPoints: d.points, aggregationTemporality: d.temporality, isMonotonic: d.monotonic };
        break;
      }
      case 9: {
        expect(r, f, w, 2);
        const d = sub(r, (r) => metricData(r, histPoint));
        m = { type: 'histogram', name: '', dataPoints: d.points, aggregationTemporality: d.temporality };
        break;
      }
      case 10: {
        expect(r, f, w, 2);
        const d = sub(r, (r) => metricData(r, expPoint));
        m = { type: 'exponentialHistogram', name: '', dataPoints: d.points, aggregationTemporality: d.temporality };
        break;
      }
      case 11: {
        expect(r, f, w, 2);
        const d = sub(r, (r) => metricData(r, summaryPoint));
        m = { type: 'summary', name: '', dataPoints: d.points };
        break;
      }
      case 12:
        expect(r, f, w, 2);
        keyValue(r, (metadata ??= {}), 0);
        break;
      default:
        skipField(r, t);
    }
  }
  m.name = name;
  if (description !== undefined) m.description = description;
  if (unit !== undefined) m.unit = unit;
  if (metadata) m.metadata = metadata;
  return m;
}

/** ResourceX / ScopeX share a layout: 1 = resource|scope, 2 = repeated children, 3 = schema_url. */
function container<H, C, T extends { schemaUrl?: string }>(
  r: PbReader,
  head: (r: PbReader) => H,
  child: (r: PbReader) => C,
  make: (h: H | undefined, children: C[]) => T,
): T {
  let h: H | undefined;
  const children: C[] = [];
  let url = '';
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1) {
      expect(r, f, w, 2);
      h = sub(r, head);
    } else if (f === 2) {
      expect(r, f, w, 2);
      children.push(sub(r, child));
    } else if (f === 3) {
      expect(r, f, w, 2);
      url = r.string();
    } else skipField(r, t);
  }
  const out = make(h, children);
  if (url) out.schemaUrl = url;
  return out;
}

const scopeMetrics = (r: PbReader): ScopeMetrics =>
  container(r, scope, metric, (s, metrics): ScopeMetrics => ({ scope: s ?? { name: '' }, metrics }));
const resourceMetrics = (r: PbReader): ResourceMetrics =>
  container(r, resource, scopeMetrics, (res, scopeMetrics): ResourceMetrics => ({ resource: res ?? { attributes: {} }, scopeMetrics }));

function logRecord(r: PbReader): LogRecord {
  const l: LogRecord = { timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0, body: null, attributes: {} };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 1:
        expect(r, f, w, 1);
        l.timeUnixNano = r.fixed64();
        break;
      case 11:
        expect(r, f, w, 1);
        l.observedTimeUnixNano = r.fixed64();
        break;
      case 2:
        expect(r, f, w, 0);
        l.severityNumber = r.varint32();
        break;
      case 3: {
        expect(r, f, w, 2);
        const v = r.string();
        if (v) l.severityText = v;
        break;
      }
      case 5:
        expect(r, f, w, 2);
        l.body = sub(r, (r) => anyValue(r, 0));
        break;
      case 6:
        expect(r, f, w, 2);
        keyValue(r, l.attributes, 0);
        break;
      case 7: {
        expect(r, f, w, 0);
        const n = r.varint32() >>> 0;
        if (n) l.droppedAttributesCount = n;
        break;
      }
      case 8: {
        expect(r, f, w, 5);
        const n = r.fixed32();
        if (n) l.flags = n;
        break;
      }
      case 9: {
        expect(r, f, w, 2);
        const b = r.id(16, 'log trace_id');
        if (b.length) l.traceId = b;
        break;
      }
      case 10: {
        expect(r, f, w, 2);
        const b = r.id(8, 'log span_id');
        if (b.length) l.spanId = b;
        break;
      }
      case 12: {
        expect(r, f, w, 2);
        const v = r.string();
        if (v) l.eventName = v;
        break;
      }
      default:
        skipField(r, t);
    }
  }
  return l;
}

const scopeLogs = (r: PbReader): ScopeLogs =>
  container(r, scope, logRecord, (s, logRecords): ScopeLogs => ({ scope: s ?? { name: '' }, logRecords }));
const resourceLogs = (r: PbReader): ResourceLogs =>
  container(r, resource, scopeLogs, (res, scopeLogs): ResourceLogs => ({ resource: res ?? { attributes: {} }, scopeLogs }));

function spanEvent(r: PbReader): SpanEvent {
  const e: SpanEvent = { timeUnixNano: 0n, name: '', attributes: {} };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1) {
      expect(r, f, w, 1);
      e.timeUnixNano = r.fixed64();
    } else if (f === 2) {
      expect(r, f, w, 2);
      e.name = r.string();
    } else if (f === 3) {
      expect(r, f, w, 2);
      keyValue(r, e.attributes, 0);
    } else if (f === 4) {
      expect(r, f, w, 0);
      const n = r.varint32() >>> 0;
      if (n) e.droppedAttributesCount = n;
    } else skipField(r, t);
  }
  return e;
}

function spanLink(r: PbReader): SpanLink {
  const l: SpanLink = { traceId: new Uint8Array(0), spanId: new Uint8Array(0), attributes: {} };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 1:
        expect(r, f, w, 2);
        l.traceId = r.id(16, 'link trace_id');
        break;
      case 2:
        expect(r, f, w, 2);
        l.spanId = r.id(8, 'link span_id');
        break;
      case 3: {
        expect(r, f, w, 2);
        const v = r.string();
        if (v) l.traceState = v;
        break;
      }
      case 4:
        expect(r, f, w, 2);
        keyValue(r, l.attributes, 0);
        break;
      case 5: {
        expect(r, f, w, 0);
        const n = r.varint32() >>> 0;
        if (n) l.droppedAttributesCount = n;
        break;
      }
      case 6: {
        expect(r, f, w, 5);
        const n = r.fixed32();
        if (n) l.flags = n;
        break;
      }
      default:
        skipField(r, t);
    }
  }
  return l;
}

function span(r: PbReader): Span {
  // A span is several objects even when empty (ids, attributes, events, links, status).
  r.charge(SPAN_EXTRA_COST);
  const s: Span = {
    traceId: new Uint8Array(0), spanId: new Uint8Array(0), name: '', kind: 0, startTimeUnixNano: 0n, endTimeUnixNano: 0n,
    attributes: {}, events: [], links: [], status: { code: 0 },
  };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    switch (f) {
      case 1:
        expect(r, f, w, 2);
        s.traceId = r.id(16, 'trace_id');
        break;
      case 2:
        expect(r, f, w, 2);
        s.spanId = r.id(8, 'span_id');
        break;
      case 3: {
        expect(r, f, w, 2);
        const v = r.string();
        if (v) s.traceState = v;
        break;
      }
      case 4: {
        expect(r, f, w, 2);
        const b = r.id(8, 'parent_span_id');
        if (b.length) s.parentSpanId = b;
        break;
      }
      case 5:
        expect(r, f, w, 2);
        s.name = r.string();
        break;
      case 6:
        expect(r, f, w, 0);
        s.kind = r.varint32();
        break;
      case 7:
        expect(r, f, w, 1);
        s.startTimeUnixNano = r.fixed64();
        break;
      case 8:
        expect(r, f, w, 1);
        s.endTimeUnixNano = r.fixed64();
        break;
      case 9:
        expect(r, f, w, 2);
        keyValue(r, s.attributes, 0);
        break;
      case 10: {
        expect(r, f, w, 0);
        const n = r.varint32() >>> 0;
        if (n) s.droppedAttributesCount = n;
        break;
      }
      case 11:
        expect(r, f, w, 2);
        s.events.push(sub(r, spanEvent));
        break;
      case 12: {
        expect(r, f, w, 0);
        const n = r.varint32() >>> 0;
        if (n) s.droppedEventsCount = n;
        break;
      }
      case 13:
        expect(r, f, w, 2);
        s.links.push(sub(r, spanLink));
        break;
      case 14: {
        expect(r, f, w, 0);
        const n = r.varint32() >>> 0;
        if (n) s.droppedLinksCount = n;
        break;
      }
      case 15:
        expect(r, f, w, 2);
        s.status = sub(r, (r) => {
          const st: Span['status'] = { code: 0 };
          while (r.pos < r.end) {
            const t2 = r.varint();
            const f2 = t2 >>> 3;
            if (f2 === 2) {
              expect(r, f2, t2 & 7, 2);
              const m = r.string();
              if (m) st.message = m;
            } else if (f2 === 3) {
              expect(r, f2, t2 & 7, 0);
              st.code = r.varint32();
            } else skipField(r, t2);
          }
          return st;
        });
        break;
      case 16: {
        expect(r, f, w, 5);
        const n = r.fixed32();
        if (n) s.flags = n;
        break;
      }
      default:
        skipField(r, t);
    }
  }
  return s;
}

const scopeSpans = (r: PbReader): ScopeSpans =>
  container(r, scope, span, (s, spans): ScopeSpans => ({ scope: s ?? { name: '' }, spans }));
const resourceSpans = (r: PbReader): ResourceSpans =>
  container(r, resource, scopeSpans, (res, scopeSpans): ResourceSpans => ({ resource: res ?? { attributes: {} }, scopeSpans }));

function top<T>(r: PbReader, item: (r: PbReader) => T): T[] {
  const out: T[] = [];
  while (r.pos < r.end) {
    const t = r.varint();
    if (t >>> 3 === 1) {
      expect(r, 1, t & 7, 2);
      out.push(sub(r, item));
    } else skipField(r, t);
  }
  return out;
}

/**
 * Decode an Export*ServiceRequest; throws OtlpDecodeError on malformed bytes, OtlpCostError
 * (before allocating) when the decoded objects would take more than `maxCost` bytes.
 */
export function decodeProto<S extends Signal>(signal: S, bytes: Uint8Array, maxCost = Infinity): SignalData[S] {
  return decodeProtoCosted(signal, bytes, maxCost).data;
}

/** decodeProto, also returning the estimated memory of the result (for byte budgets). */
export function decodeProtoCosted<S extends Signal>(signal: S, bytes: Uint8Array, maxCost = Infinity): { data: SignalData[S]; cost: number } {
  const r = new PbReader(bytes);
  r.maxCost = maxCost;
  if (r.cost > maxCost) throw new OtlpCostError(r.cost, maxCost);
  let d: MetricsData | LogsData | TracesData;
  if (signal === 'metrics') d = { resourceMetrics: top(r, resourceMetrics) };
  else if (signal === 'logs') d = { resourceLogs: top(r, resourceLogs) };
  else d = { resourceSpans: top(r, resourceSpans) };
  return { data: d as SignalData[S], cost: r.cost };
}
