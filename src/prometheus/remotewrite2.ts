// Remote-Write 2.0 `io.prometheus.write.v2.Request` encoder (opt-in): strings interned in a
// symbol table (symbols[0] = ""), labels as packed refs, metadata on every series.
// Field numbers from prompb/io/prometheus/write/v2/types.proto: Request{symbols=4,
// timeseries=5}, TimeSeries{labels_refs=1, samples=2, metadata=5}, Metadata{type=1, help_ref=3,
// unit_ref=4}, Sample{value=1, timestamp=2}.
import { snappy } from './snappy.js';
import { META_TYPES, decodeSample, type RwMetadata, type RwSeries } from './remotewrite.js';
import { STALE_NAN_BITS } from './model.js';
import { PbReader, sub } from '../protobuf/reader.js';
import { PbWriter, varintLen } from '../protobuf/writer.js';

export const V2_CONTENT_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

export function encodeRequestV2(series: RwSeries[]): Buffer {
  const symbols = new Map<string, number>([['', 0]]);
  const ref = (s: string): number => {
    let r = symbols.get(s);
    if (r === undefined) symbols.set(s, (r = symbols.size));
    return r;
  };
  // Series first (they create the symbols), then the symbol table is written before them.
  const ts = new PbWriter();
  for (const s of series) {
    const refs: number[] = [];
    for (const l of s.labels) refs.push(ref(l.name), ref(l.value));
    let refsLen = 0;
    for (const r of refs) refsLen += varintLen(r);
    const type = s.meta ? (META_TYPES[s.meta.type] ?? 0) : 0;
    const help = s.meta ? ref(s.meta.help) : 0;
    const unit = s.meta ? ref(s.meta.unit) : 0;
    const metaLen = (type ? 1 + varintLen(type) : 0) + (help ? 1 + varintLen(help) : 0) + (unit ? 1 + varintLen(unit) : 0);
    let samplesLen = 0;
    const sampleSizes = s.samples.map((x) => 9 + (x.timestampMs > 0 ? 1 + varintLen(x.timestampMs) : 0));
    for (const n of sampleSizes) samplesLen += 1 + varintLen(n) + n;
    const body = (refs.length ? 1 + varintLen(refsLen) + refsLen : 0) + samplesLen + (metaLen ? 1 + varintLen(metaLen) + metaLen : 0);
    ts.tag(5, 2);
    ts.varint(body);
    if (refs.length) {
      ts.tag(1, 2);
      ts.varint(refsLen);
      for (const r of refs) ts.varint(r);
    }
    s.samples.forEach((x, i) => {
      ts.tag(2, 2);
      ts.varint(sampleSizes[i]!);
      ts.tag(1, 1);
      if (x.stale) ts.fixed64(STALE_NAN_BITS);
      else ts.double(x.value);
      if (x.timestampMs > 0) {
        ts.tag(2, 0);
        ts.varint(x.timestampMs);
      }
    });
    if (metaLen) {
      ts.tag(5, 2);
      ts.varint(metaLen);
      if (type) (ts.tag(1, 0), ts.varint(type));
      if (help) (ts.tag(3, 0), ts.varint(help));
      if (unit) (ts.tag(4, 0), ts.varint(unit));
    }
  }
  const out = new PbWriter();
  for (const sym of symbols.keys()) out.string(4, sym);
  out.raw(ts.buf.subarray(0, ts.pos));
  return Buffer.from(out.buf.subarray(0, out.pos));
}

export function compressRequestV2(series: RwSeries[]): Buffer {
  return snappy().compressSync(encodeRequestV2(series));
}

const META_NAMES = Object.fromEntries(Object.entries(META_TYPES).map(([k, v]) => [v, k])) as Record<number, RwMetadata['type']>;

/**
 * Series of a 2.0 Request (the exporter's queued requests, when a receiver turns out to speak
 * only 1.0): symbols resolved, metadata per series.
 */
export function decodeRequestV2(buf: Uint8Array): RwSeries[] {
  const symbols: string[] = [];
  const raw: RawSeriesV2[] = [];
  const r = new PbReader(buf);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x22) symbols.push(r.string());
    else if (tag === 0x2a) raw.push(sub(r, decodeSeriesV2));
    else r.skip(tag & 7);
  }
  const sym = (i: number): string => {
    const v = symbols[i];
    if (v === undefined) throw new Error(`symbol ref ${i} out of range`);
    return v;
  };
  return raw.map((s) => {
    const labels = [];
    for (let i = 0; i + 1 < s.refs.length; i += 2) labels.push({ name: sym(s.refs[i]!), value: sym(s.refs[i + 1]!) });
    const name = labels.find((l) => l.name === '__name__')?.value ?? '';
    return { labels, samples: s.samples, meta: { type: META_NAMES[s.type] ?? 'unknown', familyName: name, help: sym(s.help), unit: sym(s.unit) } };
  });
}

interface RawSeriesV2 {
  refs: number[];
  samples: RwSeries['samples'];
  type: number;
  help: number;
  unit: number;
}

function decodeSeriesV2(t: PbReader): RawSeriesV2 {
  const s: RawSeriesV2 = { refs: [], samples: [], type: 0, help: 0, unit: 0 };
  while (t.pos < t.end) {
    const f = t.varint();
    if (f === 0x0a)
      sub(t, (p) => {
        while (p.pos < p.end) s.refs.push(p.varint());
      });
    else if (f === 0x12) s.samples.push(sub(t, decodeSample));
    else if (f === 0x2a)
      sub(t, (m) => {
        while (m.pos < m.end) {
          const g = m.varint();
          if (g === 0x08) s.type = m.varint();
          else if (g === 0x18) s.help = m.varint();
          else if (g === 0x20) s.unit = m.varint();
          else m.skip(g & 7);
        }
      });
    else t.skip(f & 7);
  }
  return s;
}
