export { encodeJson, decodeJson } from './json.js';
export { OtlpDecodeError, MAX_DEPTH } from './errors.js';
