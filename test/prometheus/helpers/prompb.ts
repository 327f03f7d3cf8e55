// The Remote-Write 1.0 messages (prometheus/prompb types.proto + remote.proto) for protobufjs,
// used as an independent peer to check telemd's hand-written encoder (tests and bench).
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
message MetricMetadata {
  enum MetricType { UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7; }
  MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5;
}
message Sample { double value = 1; int64 timestamp = 2; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
`;

export const prompb = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

const PROTO_V2 = `
syntax = "proto3";
package io.prometheus.write.v2;
message Request { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
message TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2; Metadata metadata = 5; int64 created_timestamp = 6; }
message Sample { double value = 1; int64 timestamp = 2; }
message Metadata {
  enum MetricType { METRIC_TYPE_UNSPECIFIED = 0; METRIC_TYPE_COUNTER = 1; METRIC_TYPE_GAUGE = 2; METRIC_TYPE_HISTOGRAM = 3; METRIC_TYPE_GAUGEHISTOGRAM = 4; METRIC_TYPE_SUMMARY = 5; METRIC_TYPE_INFO = 6; METRIC_TYPE_STATESET = 7; }
  MetricType type = 1; uint32 help_ref = 3; uint32 unit_ref = 4;
}
`;

export const prompbV2 = protobuf.parse(PROTO_V2, { keepCase: true }).root.lookupType('io.prometheus.write.v2.Request');

export interface V2Series { labels: Record<string, string>; samples: { value: number; timestamp: number }[]; type: string; help: string; unit: string }

/** Decodes a v2 request with protobufjs and resolves the symbol refs. */
export function decodeV2(buf: Uint8Array): { symbols: string[]; series: V2Series[] } {
  const o = prompbV2.toObject(prompbV2.decode(buf), { enums: String, longs: Number, defaults: true }) as {
    symbols: string[];
    timeseries: { labels_refs: number[]; samples: { value: number; timestamp: number }[]; metadata?: { type: string; help_ref: number; unit_ref: number } }[];
  };
  const sym = o.symbols;
  return {
    symbols: sym,
    series: o.timeseries.map((t) => {
      const labels: Record<string, string> = {};
      for (let i = 0; i < t.labels_refs.length; i += 2) labels[sym[t.labels_refs[i]!]!] = sym[t.labels_refs[i + 1]!]!;
      return { labels, samples: t.samples, type: t.metadata?.type ?? '', help: sym[t.metadata?.help_ref ?? 0]!, unit: sym[t.metadata?.unit_ref ?? 0]! };
    }),
  };
}
