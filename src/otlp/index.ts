export { encodeJson, decodeJson } from './json.js';
export { OtlpDecodeError, MAX_DEPTH } from './errors.js';
export { encodeProto } from './pb-encode.js';
export { decodeProto } from './pb-decode.js';
