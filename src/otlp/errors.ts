// The decode errors are the protobuf library's (src/protobuf/errors.ts): one class whether the
// bytes were OTLP, OTLP/JSON or Remote-Write.
export { DecodeError as OtlpDecodeError, DecodeCostError as OtlpCostError } from '../protobuf/errors.js';

/** Nesting limit for AnyValue arrays/maps: hostile bodies must not exhaust the stack. */
export const MAX_DEPTH = 64;
