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
