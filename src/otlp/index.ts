export { encodeJson, encodeJsonBytes } from './json-encode.js';
export { decodeJson, decodeJsonCosted, jsonCost } from './json-decode.js';
export { OtlpDecodeError, OtlpCostError, MAX_DEPTH } from './errors.js';
export { encodeProto } from './pb-encode.js';
export { decodeProto, decodeProtoCosted } from './pb-decode.js';
export {
  encodeExportResponse, encodeExportResponseJson, decodeExportResponse, decodeExportResponseJson,
  encodeStatus, encodeStatusJson, decodeStatus, decodeStatusJson,
  type PartialSuccess, type RpcStatus,
} from './response.js';
export { grpcError, httpError, parseRetryAfter } from './retry.js';
