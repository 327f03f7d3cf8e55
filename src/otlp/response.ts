// Export*ServiceResponse (with partial_success) and google.rpc.Status, in protobuf and JSON.
import type { Signal } from '../pdata/types.js';
import { PbReader, sub } from '../protobuf/reader.js';
import { PbWriter } from '../protobuf/writer.js';
import { OtlpDecodeError } from './errors.js';

export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/** JSON name of `rejected_*` per signal. */
const REJECTED_KEY: Record<Signal, string> = {
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
  traces: 'rejectedSpans',
};

export function encodeExportResponse(partial?: PartialSuccess): Uint8Array {
  const w = new PbWriter(64);
  if (partial && (partial.rejected || partial.errorMessage)) {
    const at = w.open(1);
    if (partial.rejected) {
      w.tag(1, 0);
      w.varint(partial.rejected);
    }
    if (partial.errorMessage) w.string(2, partial.errorMessage);
    w.close(at);
  }
  return w.finish();
}

export function encodeExportResponseJson(signal: Signal, partial?: PartialSuccess): string {
  if (!partial || (!partial.rejected && !partial.errorMessage)) return '{}';
  const ps: Record<string, unknown> = {};
  if (partial.rejected) ps[REJECTED_KEY[signal]] = String(partial.rejected);
  if (partial.errorMessage) ps.errorMessage = partial.errorMessage;
  return JSON.stringify({ partialSuccess: ps });
}

/** Partial success of a response body, or undefined when everything was accepted. */
export function decodeExportResponse(bytes: Uint8Array): PartialSuccess | undefined {
  const r = new PbReader(bytes);
  let out: PartialSuccess | undefined;
  while (r.pos < r.end) {
    const t = r.varint();
    if (t >>> 3 === 1 && (t & 7) === 2) out = sub(r, partialSuccess);
    else r.skip(t & 7);
  }
  return out && (out.rejected || out.errorMessage) ? out : undefined;
}

function partialSuccess(r: PbReader): PartialSuccess {
  const out = { rejected: 0, errorMessage: '' };
  while (r.pos < r.end) {
    const t = r.varint();
    if (t >>> 3 === 1 && (t & 7) === 0) out.rejected = Number(BigInt.asIntN(64, r.varint64()));
    else if (t >>> 3 === 2 && (t & 7) === 2) out.errorMessage = r.string();
    else r.skip(t & 7);
  }
  return out;
}

export function decodeExportResponseJson(signal: Signal, text: string): PartialSuccess | undefined {
  if (text.trim() === '') return undefined;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new OtlpDecodeError(`invalid JSON response: ${(e as Error).message}`);
  }
  const ps = (o as { partialSuccess?: Record<string, unknown> } | null)?.partialSuccess;
  if (!ps || typeof ps !== 'object') return undefined;
  const rej = Number(ps[REJECTED_KEY[signal]] ?? 0) || 0;
  const msg = typeof ps.errorMessage === 'string' ? ps.errorMessage : '';
  return rej || msg ? { rejected: rej, errorMessage: msg } : undefined;
}

/** google.rpc.Status; `retryDelayMs` is the RetryInfo detail, if any. */
export interface RpcStatus {
  code: number;
  message: string;
  retryDelayMs?: number;
}

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

export function encodeStatus(st: RpcStatus): Uint8Array {
  const w = new PbWriter(128);
  if (st.code) {
    w.tag(1, 0);
    w.varint(st.code);
  }
  if (st.message) w.string(2, st.message);
  if (st.retryDelayMs !== undefined) {
    const any = w.open(3);
    w.string(1, RETRY_INFO);
    const val = w.open(2);
    const dur = w.open(1);
    const secs = Math.floor(st.retryDelayMs / 1000);
    const nanos = Math.round((st.retryDelayMs % 1000) * 1e6);
    if (secs) {
      w.tag(1, 0);
      w.varint(secs);
    }
    if (nanos) {
      w.tag(2, 0);
      w.varint(nanos);
    }
    w.close(dur);
    w.close(val);
    w.close(any);
  }
  return w.finish();
}

export function encodeStatusJson(st: RpcStatus): string {
  const o: Record<string, unknown> = { code: st.code, message: st.message };
  if (st.retryDelayMs !== undefined)
    o.details = [{ '@type': RETRY_INFO, retryDelay: `${(st.retryDelayMs / 1000).toFixed(3)}s` }];
  return JSON.stringify(o);
}

function durationMs(r: PbReader): number {
  let secs = 0;
  let nanos = 0;
  while (r.pos < r.end) {
    const t = r.varint();
    if (t >>> 3 === 1 && (t & 7) === 0) secs = Number(BigInt.asIntN(64, r.varint64()));
    else if (t >>> 3 === 2 && (t & 7) === 0) nanos = r.varint32();
    else r.skip(t & 7);
  }
  return secs * 1000 + nanos / 1e6;
}

/** Decode a google.rpc.Status (e.g. grpc-status-details-bin or an HTTP error body). */
export function decodeStatus(bytes: Uint8Array): RpcStatus {
  const r = new PbReader(bytes);
  const st: RpcStatus = { code: 0, message: '' };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    if (f === 1 && (t & 7) === 0) st.code = r.varint32();
    else if (f === 2 && (t & 7) === 2) st.message = r.string();
    else if (f === 3 && (t & 7) === 2) {
      const delay = sub(r, retryInfoDelay);
      if (delay !== undefined) st.retryDelayMs = delay;
    } else r.skip(t & 7);
  }
  return st;
}

/** A google.protobuf.Any detail: the RetryInfo delay, undefined for any other detail. */
function retryInfoDelay(r: PbReader): number | undefined {
  let url = '';
  let delay: number | undefined;
  while (r.pos < r.end) {
    const t = r.varint();
    if (t >>> 3 === 1 && (t & 7) === 2) url = r.string();
    else if (t >>> 3 === 2 && (t & 7) === 2) delay = sub(r, retryDelay) ?? delay;
    else r.skip(t & 7);
  }
  return url === RETRY_INFO ? delay : undefined;
}

/** RetryInfo { retry_delay = 1 (Duration) }. */
function retryDelay(r: PbReader): number | undefined {
  let delay: number | undefined;
  while (r.pos < r.end) {
    const t = r.varint();
    if (t >>> 3 === 1 && (t & 7) === 2) delay = sub(r, durationMs);
    else r.skip(t & 7);
  }
  return delay;
}

export function decodeStatusJson(text: string): RpcStatus {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new OtlpDecodeError(`invalid JSON status: ${(e as Error).message}`);
  }
  const st: RpcStatus = { code: Number(o?.code ?? 0) || 0, message: typeof o?.message === 'string' ? o.message : '' };
  if (Array.isArray(o?.details))
    for (const d of o.details as Record<string, unknown>[]) {
      if (d?.['@type'] === RETRY_INFO && typeof d.retryDelay === 'string') {
        const secs = parseFloat(d.retryDelay);
        if (Number.isFinite(secs)) st.retryDelayMs = secs * 1000;
      }
    }
  return st;
}
