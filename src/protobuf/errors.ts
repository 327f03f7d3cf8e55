/**
 * Malformed wire input (protobuf here, and OTLP/JSON, whose decoder shares these errors).
 * Receivers answer 400 / INVALID_ARGUMENT with it. src/otlp names it OtlpDecodeError.
 */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/**
 * The decoded request would take more memory than allowed (`limit`): a receiver answers
 * retryable when its budget is only busy, 413 when the request alone exceeds all of it.
 */
export class DecodeCostError extends DecodeError {
  constructor(
    readonly cost: number,
    readonly limit: number,
  ) {
    super(`decoding needs more than ${limit} bytes of memory (estimated)`);
    this.name = 'DecodeCostError';
  }
}
