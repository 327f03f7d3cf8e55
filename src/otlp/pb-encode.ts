// OTLP protobuf encoding, field numbers from opentelemetry-proto (common, resource, metrics,
// logs, trace v1 and the collector Export*ServiceRequest messages). proto3 rules: zero scalars
// are omitted unless the field has presence (oneof members, `optional`).
import type {
  AnyValue, Attributes, Exemplar, ExpHistogramBuckets, InstrumentationScope, LogRecord, LogsData, Metric,
  MetricsData, NumberDataPoint, Resource, Signal, SignalData, Span, TracesData,
} from '../pdata/types.js';
import { PbWriter } from '../protobuf/writer.js';

function anyValue(w: PbWriter, v: AnyValue): void {
  switch (typeof v) {
    case 'string':
      w.string(1, v);
      return;
    case 'boolean':
      w.tag(2, 0);
      w.varint(v ? 1 : 0);
      return;
    case 'bigint':
      w.tag(3, 0);
      if (v >= 0n && v < 0x80000000n) w.varint(Number(v));
      else w.varint64(BigInt.asUintN(64, v));
      return;
    case 'number':
      w.tag(4, 1);
      w.double(v);
      return;
  }
  if (v === null || v === undefined) return;
  if (v instanceof Uint8Array) {
    w.bytes(7, v);
    return;
  }
  if (Array.isArray(v)) {
    const a = w.open(5);
    for (const x of v) {
      const at = w.open(1);
      anyValue(w, x);
      w.close(at);
    }
    w.close(a);
    return;
  }
  const a = w.open(6);
  attrs(w, 1, v);
  w.close(a);
}

function attrs(w: PbWriter, field: number, a: Attributes | undefined): void {
  if (!a) return;
  for (const k in a) {
    const at = w.open(field);
    if (k !== '') w.string(1, k);
    const v = a[k]!;
    const vat = w.open(2);
    anyValue(w, v);
    w.close(vat);
    w.close(at);
  }
}

function u32(w: PbWriter, field: number, v: number | undefined): void {
  if (v) {
    w.tag(field, 0);
    w.varint(v >>> 0);
  }
}

function str(w: PbWriter, field: number, v: string | undefined): void {
  if (v) w.string(field, v);
}

function fx64(w: PbWriter, field: number, v: bigint): void {
  if (v !== 0n) {
    w.tag(field, 1);
    w.fixed64(v);
  }
}

function fx64n(w: PbWriter, field: number, v: number): void {
  if (v) {
    w.tag(field, 1);
    w.fixed64n(v);
  }
}

function dbl(w: PbWriter, field: number, v: number | undefined): void {
  if (v !== undefined) {
    w.tag(field, 1);
    w.double(v);
  }
}

/** Ids of any other length than OTLP's are left out: telemd never emits what a backend must refuse. */
function id(w: PbWriter, field: number, v: Uint8Array | undefined, len: 8 | 16): void {
  if (v && v.length === len) w.bytes(field, v);
}

function resource(w: PbWriter, r: Resource): void {
  const at = w.open(1);
  attrs(w, 1, r.attributes);
  u32(w, 2, r.droppedAttributesCount);
  w.close(at);
}

function scope(w: PbWriter, s: InstrumentationScope): void {
  const at = w.open(1);
  str(w, 1, s.name);
  str(w, 2, s.version);
  attrs(w, 3, s.attributes);
  u32(w, 4, s.droppedAttributesCount);
  w.close(at);
}

function exemplars(w: PbWriter, field: number, es: Exemplar[] | undefined): void {
  if (!es) return;
  for (const e of es) {
    const at = w.open(field);
    fx64(w, 2, e.timeUnixNano);
    if (typeof e.value === 'bigint') {
      w.tag(6, 1);
      w.fixed64(e.value);
    } else dbl(w, 3, e.value);
    id(w, 4, e.spanId, 8);
    id(w, 5, e.traceId, 16);
    attrs(w, 7, e.filteredAttributes);
    w.close(at);
  }
}

function numberPoint(w: PbWriter, p: NumberDataPoint): void {
  const at = w.open(1);
  fx64(w, 2, p.startTimeUnixNano);
  fx64(w, 3, p.timeUnixNano);
  if (typeof p.value === 'bigint') {
    w.tag(6, 1);
    w.fixed64(p.value);
  } else dbl(w, 4, p.value);
  exemplars(w, 5, p.exemplars);
  attrs(w, 7, p.attributes);
  u32(w, 8, p.flags);
  w.close(at);
}

function temporality(w: PbWriter, t: number): void {
  if (t) {
    w.tag(2, 0);
    w.varint(t);
  }
}

function packedFixed64n(w: PbWriter, field: number, vs: number[]): void {
  if (!vs.length) return;
  w.tag(field, 2);
  w.varint(vs.length * 8);
  for (const v of vs) w.fixed64n(v);
}

function packedDouble(w: PbWriter, field: number, vs: number[]): void {
  if (!vs.length) return;
  w.tag(field, 2);
  w.varint(vs.length * 8);
  for (const v of vs) w.double(v);
}

function buckets(w: PbWriter, field: number, b: ExpHistogramBuckets): void {
  const at = w.open(field);
  if (b.offset) {
    w.tag(1, 0);
    w.varint(((b.offset << 1) ^ (b.offset >> 31)) >>> 0);
  }
  if (b.bucketCounts.length) {
    const p = w.open(2);
    for (const c of b.bucketCounts) w.varint(c);
    w.close(p);
  }
  w.close(at);
}

function metric(w: PbWriter, m: Metric): void {
  const at = w.open(2);
  str(w, 1, m.name);
  str(w, 2, m.description);
  str(w, 3, m.unit);
  switch (m.type) {
    case 'gauge': {
      const g = w.open(5);
      for (const p of m.dataPoints) numberPoint(w, p);
      w.close(g);
      break;
    }
    case 'sum': {
      const g = w.open(7);
      for (const p of m.dataPoints) numberPoint(w, p);
      temporality(w, m.aggregationTemporality);
      if (m.isMonotonic) {
        w.tag(3, 0);
        w.varint(1);
      }
      w.close(g);
      break;
    }
    case 'histogram': {
      const g = w.open(9);
      for (const p of m.dataPoints) {
        const d = w.open(1);
        fx64(w, 2, p.startTimeUnixNano);
        fx64(w, 3, p.timeUnixNano);
        fx64n(w, 4, p.count);
        dbl(w, 5, p.sum);
        packedFixed64n(w, 6, p.bucketCounts);
        packedDouble(w, 7, p.explicitBounds);
        exemplars(w, 8, p.exemplars);
        attrs(w, 9, p.attributes);
        u32(w, 10, p.flags);
        dbl(w, 11, p.min);
        dbl(w, 12, p.max);
        w.close(d);
      }
      temporality(w, m.aggregationTemporality);
      w.close(g);
      break;
    }
    case 'exponentialHistogram': {
      const g = w.open(10);
      for (const p of m.dataPoints) {
        const d = w.open(1);
        attrs(w, 1, p.attributes);
        fx64(w, 2, p.startTimeUnixNano);
        fx64(w, 3, p.timeUnixNano);
        fx64n(w, 4, p.count);
        dbl(w, 5, p.sum);
        if (p.scale) {
          w.tag(6, 0);
          w.varint(((p.scale << 1) ^ (p.scale >> 31)) >>> 0);
        }
        fx64n(w, 7, p.zeroCount);
        buckets(w, 8, p.positive);
        buckets(w, 9, p.negative);
        u32(w, 10, p.flags);
        exemplars(w, 11, p.exemplars);
        dbl(w, 12, p.min);
        dbl(w, 13, p.max);
        dbl(w, 14, p.zeroThreshold);
        w.close(d);
      }
      temporality(w, m.aggregationTemporality);
      w.close(g);
      break;
    }
    case 'summary': {
      const g = w.open(11);
      for (const p of m.dataPoints) {
        const d = w.open(1);
        fx64(w, 2, p.startTimeUnixNano);
        fx64(w, 3, p.timeUnixNano);
        fx64n(w, 4, p.count);
        if (p.sum) dbl(w, 5, p.sum);
        for (const q of p.quantileValues) {
          const qa = w.open(6);
          if (q.quantile) dbl(w, 1, q.quantile);
          if (q.value) dbl(w, 2, q.value);
          w.close(qa);
        }
        attrs(w, 7, p.attributes);
        u32(w, 8, p.flags);
        w.close(d);
      }
      w.close(g);
      break;
    }
    case 'empty':
      break;
  }
  attrs(w, 12, m.metadata);
  w.close(at);
}

function metrics(w: PbWriter, d: MetricsData): void {
  for (const rm of d.resourceMetrics) {
    const at = w.open(1);
    resource(w, rm.resource);
    for (const sm of rm.scopeMetrics) {
      const s = w.open(2);
      scope(w, sm.scope);
      for (const m of sm.metrics) metric(w, m);
      str(w, 3, sm.schemaUrl);
      w.close(s);
    }
    str(w, 3, rm.schemaUrl);
    w.close(at);
  }
}

function logRecord(w: PbWriter, l: LogRecord): void {
  // A log record is nearly always 128 bytes to 16 KiB: a 2-byte length slot saves a move.
  const at = w.openSized(2, 2);
  fx64(w, 1, l.timeUnixNano);
  u32(w, 2, l.severityNumber);
  str(w, 3, l.severityText);
  if (l.body !== null && l.body !== undefined) {
    const b = w.open(5);
    anyValue(w, l.body);
    w.close(b);
  }
  attrs(w, 6, l.attributes);
  u32(w, 7, l.droppedAttributesCount);
  if (l.flags) {
    w.tag(8, 5);
    w.fixed32(l.flags);
  }
  id(w, 9, l.traceId, 16);
  id(w, 10, l.spanId, 8);
  fx64(w, 11, l.observedTimeUnixNano);
  str(w, 12, l.eventName);
  w.closeSized(at, 2);
}

function logs(w: PbWriter, d: LogsData): void {
  // Batches are typically 100 KiB..2 MiB: 3-byte slots avoid moving the whole batch twice.
  for (const rl of d.resourceLogs) {
    const at = w.openSized(1, 3);
    resource(w, rl.resource);
    for (const sl of rl.scopeLogs) {
      const s = w.openSized(2, 3);
      scope(w, sl.scope);
      for (const l of sl.logRecords) logRecord(w, l);
      str(w, 3, sl.schemaUrl);
      w.closeSized(s, 3);
    }
    str(w, 3, rl.schemaUrl);
    w.closeSized(at, 3);
  }
}

function span(w: PbWriter, s: Span): void {
  const at = w.open(2);
  id(w, 1, s.traceId, 16);
  id(w, 2, s.spanId, 8);
  str(w, 3, s.traceState);
  id(w, 4, s.parentSpanId, 8);
  str(w, 5, s.name);
  u32(w, 6, s.kind);
  fx64(w, 7, s.startTimeUnixNano);
  fx64(w, 8, s.endTimeUnixNano);
  attrs(w, 9, s.attributes);
  u32(w, 10, s.droppedAttributesCount);
  for (const e of s.events) {
    const ea = w.open(11);
    fx64(w, 1, e.timeUnixNano);
    str(w, 2, e.name);
    attrs(w, 3, e.attributes);
    u32(w, 4, e.droppedAttributesCount);
    w.close(ea);
  }
  u32(w, 12, s.droppedEventsCount);
  for (const l of s.links) {
    const la = w.open(13);
    id(w, 1, l.traceId, 16);
    id(w, 2, l.spanId, 8);
    str(w, 3, l.traceState);
    attrs(w, 4, l.attributes);
    u32(w, 5, l.droppedAttributesCount);
    if (l.flags) {
      w.tag(6, 5);
      w.fixed32(l.flags);
    }
    w.close(la);
  }
  u32(w, 14, s.droppedLinksCount);
  const st = w.open(15);
  str(w, 2, s.status.message);
  u32(w, 3, s.status.code);
  w.close(st);
  if (s.flags) {
    w.tag(16, 5);
    w.fixed32(s.flags);
  }
  w.close(at);
}

function traces(w: PbWriter, d: TracesData): void {
  for (const rs of d.resourceSpans) {
    const at = w.open(1);
    resource(w, rs.resource);
    for (const ss of rs.scopeSpans) {
      const s = w.open(2);
      scope(w, ss.scope);
      for (const sp of ss.spans) span(w, sp);
      str(w, 3, ss.schemaUrl);
      w.close(s);
    }
    str(w, 3, rs.schemaUrl);
    w.close(at);
  }
}

// One writer reused across calls (encoding is synchronous).
const shared = new PbWriter();
let lastSize = 64 * 1024;

/** Export{Metrics,Logs,Trace}ServiceRequest bytes (same layout as MetricsData/LogsData/TracesData). */
export function encodeProto<S extends Signal>(signal: S, data: SignalData[S]): Uint8Array {
  // Written straight into a fresh buffer sized from the previous request: no final copy. (Not
  // from the pool: the result owns its whole ArrayBuffer, as a copy would.)
  shared.buf = Buffer.allocUnsafeSlow(Math.min(16 << 20, Math.max(256, Math.ceil(lastSize * 1.25))));
  shared.reset();
  if (signal === 'metrics') metrics(shared, data as MetricsData);
  else if (signal === 'logs') logs(shared, data as LogsData);
  else traces(shared, data as TracesData);
  lastSize = shared.pos;
  return new Uint8Array(shared.buf.buffer, shared.buf.byteOffset, shared.pos);
}
