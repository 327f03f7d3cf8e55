// OTLP/JSON codec: one export request per call (the file exporter writes one per line).
export { encodeJson, metricsJson, logsJson, tracesJson, anyValueJson, attrsJson } from './json-encode.js';
export { decodeJson, anyValueFromJson, attrsFromJson } from './json-decode.js';
