// OTLP/JSON codec: one export request per call (the file exporter writes one per line).
export { encodeJson } from './json-encode.js';
export { decodeJson, anyValueFromJson, attrsFromJson } from './json-decode.js';
