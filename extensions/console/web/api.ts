// The console API from the page: same-origin fetches with the session cookie; state-changing
// requests carry the session's CSRF token. A 401 anywhere means the session is gone: the app
// then hides everything and says how to log in again.
export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorType?: string,
  ) {
    super(message);
  }
}

let csrf = '';
let onAuthLost: () => void = () => {};

export function setAuthLost(f: () => void): void {
  onAuthLost = f;
}

interface Envelope<T> {
  status: 'success' | 'error';
  data?: T;
  error?: string;
  errorType?: string;
  warnings?: string[];
}

export async function api<T>(path: string, opts: { method?: 'GET' | 'POST'; form?: Record<string, string>; json?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (method !== 'GET') {
    headers['x-csrf-token'] = csrf;
    headers['content-type'] = opts.json !== undefined ? 'application/json' : 'application/x-www-form-urlencoded';
    body = opts.json !== undefined ? JSON.stringify(opts.json) : new URLSearchParams(opts.form ?? {}).toString();
  }
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store', signal: opts.signal });
  if (res.status === 401) {
    onAuthLost();
    throw new ApiFailure('not logged in', 401);
  }
  let json: Envelope<T> | undefined;
  try {
    json = (await res.json()) as Envelope<T>;
  } catch {
    throw new ApiFailure(`HTTP ${res.status} from ${path}`, res.status);
  }
  if (!res.ok || json.status !== 'success') throw new ApiFailure(json.error ?? `HTTP ${res.status}`, res.status, json.errorType);
  return json.data as T;
}

export interface SessionInfo {
  kind: string;
  user: string;
  expires?: string;
  csrf_token?: string;
}

export async function startSession(): Promise<SessionInfo> {
  const s = await api<SessionInfo>('/api/v1/session');
  csrf = s.csrf_token ?? '';
  return s;
}

export async function logout(): Promise<void> {
  await api('/api/v1/session/logout', { method: 'POST' }).catch(() => undefined);
  location.href = '/logout';
}

export type Labels = Record<string, string>;
export interface VectorSample {
  metric: Labels;
  value: [number, string];
}
export interface MatrixSeries {
  metric: Labels;
  values: [number, string][];
}
export type QueryData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

export function instant(expr: string, timeSec?: number, signal?: AbortSignal): Promise<QueryData> {
  const form: Record<string, string> = { query: expr };
  if (timeSec !== undefined) form.time = String(timeSec);
  return api<QueryData>(`/api/v1/query?${new URLSearchParams(form)}`, { signal });
}

export async function range(expr: string, startSec: number, endSec: number, stepSec: number, signal?: AbortSignal): Promise<MatrixSeries[]> {
  const q = new URLSearchParams({ query: expr, start: String(startSec), end: String(endSec), step: String(stepSec) });
  const d = await api<QueryData>(`/api/v1/query_range?${q}`, { signal });
  return d.resultType === 'matrix' ? d.result : [];
}

export type BatchQuery = { query: string; time?: number } | { query: string; start: number; end: number; step: number };
export type BatchResult = { status: 'success'; data: QueryData } | { status: 'error'; errorType: string; error: string };

/** Many queries in one request (/api/v1/query_batch): one round trip per poll of a page. */
export async function batch(queries: BatchQuery[], signal?: AbortSignal): Promise<BatchResult[]> {
  if (queries.length === 0) return [];
  return (await api<{ results: BatchResult[] }>('/api/v1/query_batch', { method: 'POST', json: { queries }, signal })).results;
}

export function matrixOf(r: BatchResult | undefined): MatrixSeries[] {
  return r && r.status === 'success' && r.data.resultType === 'matrix' ? r.data.result : [];
}

export function vectorOf(r: BatchResult | undefined): VectorSample[] {
  return r && r.status === 'success' && r.data.resultType === 'vector' ? r.data.result : [];
}

/** Prometheus' number text (`+Inf`, `NaN`) as a number. */
export function num(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}
