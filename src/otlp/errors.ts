/** A malformed OTLP body (protobuf or JSON). Receivers answer 400 / INVALID_ARGUMENT with it. */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

/** Nesting limit for AnyValue arrays/maps: hostile bodies must not exhaust the stack. */
export const MAX_DEPTH = 64;

/**
 * The decoded request would take more memory than allowed (`limit`): a receiver answers
 * retryable when its budget is only busy, 413 when the request alone exceeds all of it.
 */
export class OtlpCostError extends OtlpDecodeError {
  constructor(
    readonly cost: number,
    readonly limit: number,
  ) {
    super(`decoding needs more than ${limit} bytes of memory (estimated)`);
    this.name = 'OtlpCostError';
  }
}
