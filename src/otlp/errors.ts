/** A malformed OTLP body (protobuf or JSON). Receivers answer 400 / INVALID_ARGUMENT with it. */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

/** Nesting limit for AnyValue arrays/maps: hostile bodies must not exhaust the stack. */
export const MAX_DEPTH = 64;
