// OTLP retry semantics (opentelemetry-proto specification, "Failures"): which answers are
// retried and which are permanent, for both transports.
import { ConsumerError } from '../component/consumer.js';

// gRPC status codes.
const RETRYABLE_GRPC = new Set([1, 4, 10, 11, 14, 15]); // CANCELLED DEADLINE_EXCEEDED ABORTED OUT_OF_RANGE UNAVAILABLE DATA_LOSS
const RESOURCE_EXHAUSTED = 8;
const GRPC_NAMES: Record<number, string> = {
  1: 'CANCELLED', 2: 'UNKNOWN', 3: 'INVALID_ARGUMENT', 4: 'DEADLINE_EXCEEDED', 5: 'NOT_FOUND', 6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED', 8: 'RESOURCE_EXHAUSTED', 9: 'FAILED_PRECONDITION', 10: 'ABORTED', 11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED', 13: 'INTERNAL', 14: 'UNAVAILABLE', 15: 'DATA_LOSS', 16: 'UNAUTHENTICATED',
};

export function grpcError(code: number, message: string, retryDelayMs?: number): ConsumerError {
  const text = `gRPC ${GRPC_NAMES[code] ?? code}: ${message}`;
  // RESOURCE_EXHAUSTED is retried only when the server says when (RetryInfo).
  if (RETRYABLE_GRPC.has(code) || (code === RESOURCE_EXHAUSTED && retryDelayMs !== undefined))
    return ConsumerError.retryable(text, { retryAfterMs: retryDelayMs });
  return ConsumerError.permanent(text);
}

const RETRYABLE_HTTP = new Set([429, 502, 503, 504]);

/** Retry-After: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const d = Date.parse(t);
  return Number.isNaN(d) ? undefined : Math.max(0, d - now);
}

export function httpError(status: number, message: string, retryAfter?: string): ConsumerError {
  const text = `HTTP ${status}: ${message}`;
  if (RETRYABLE_HTTP.has(status)) return ConsumerError.retryable(text, { retryAfterMs: parseRetryAfter(retryAfter) });
  return ConsumerError.permanent(text);
}
