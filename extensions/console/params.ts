// Prometheus' HTTP API parameter parsing (web/api/v1: parseTime, parseDuration), same messages.
import { ApiError } from '../../src/console/api.js';
import { parseDuration as parsePromDuration } from '../../src/promql/durations.js';

// Prometheus' minTime/maxTime (what series/labels default to) are beyond what a JS Date holds;
// the earliest and latest JS times stand for them (every stored sample lies between).
export const MIN_MS = -8.64e15;
export const MAX_MS = 8.64e15;
// How Prometheus formats its minTime/maxTime, which clients send back (Grafana does).
const MIN_FORMATTED = '-292273086-05-16T16:47:06Z';
const MAX_FORMATTED = '292277025-08-18T07:12:54.999999999Z';

// RFC 3339 with optional fraction (Go's time.RFC3339Nano parse accepts both).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function invalid(param: string, msg: string): ApiError {
  return new ApiError('bad_data', `invalid parameter ${JSON.stringify(param)}: ${msg}`);
}

/** A timestamp parameter in ms: Unix seconds (float) or RFC 3339; `dflt` when absent or empty. */
export function timeParam(form: URLSearchParams, name: string, dflt?: number): number {
  const v = form.get(name) ?? '';
  if (v === '' && dflt !== undefined) return dflt;
  const t = parseTime(v);
  if (t === undefined) throw invalid(name, `cannot parse ${JSON.stringify(v)} to a valid timestamp`);
  return t;
}

export function parseTime(v: string): number | undefined {
  if (v.trim() !== '' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) {
    const f = Number(v);
    const sec = Math.trunc(f);
    // Go rounds the fraction to milliseconds.
    return sec * 1000 + Math.round((f - sec) * 1000);
  }
  if (RFC3339.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (v === MIN_FORMATTED) return MIN_MS;
  if (v === MAX_FORMATTED) return MAX_MS;
  return undefined;
}

/** A duration parameter in ms: float seconds or a Prometheus duration (`1m30s`). */
export function durationParam(form: URLSearchParams, name: string): number | undefined {
  const v = form.get(name);
  if (v === null || v === '') return undefined;
  return parseDurationValue(v, name);
}

export function parseDurationValue(v: string, name: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) {
    const ms = Number(v) * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 9.2e15) throw invalid(name, `cannot parse ${JSON.stringify(v)} to a valid duration. It overflows int64`);
    return ms;
  }
  const d = parsePromDuration(v);
  if (typeof d === 'number') return d;
  throw invalid(name, `cannot parse ${JSON.stringify(v)} to a valid duration`);
}

export { invalid as invalidParam };
