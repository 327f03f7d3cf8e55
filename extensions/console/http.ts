// Request parsing and the Prometheus JSON envelope, shared by every console route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ApiError } from '../../src/console/api.js';

/** Answers at least this large go gzipped to clients that accept it (as Prometheus' API does). */
const GZIP_MIN_BYTES = 2048;

/** Bodies above this are refused (a query or a form is small; nothing streams in). */
export const MAX_BODY_BYTES = 1 << 20;

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), headers);
}

/** A JSON body already encoded. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const accepts = /\bgzip\b/.test(String(res.req?.headers['accept-encoding'] ?? ''));
  if (accepts && text.length >= GZIP_MIN_BYTES) {
    // Level 1: a 100 KiB query result in well under a millisecond, still ~6x smaller.
    const body = gzipSync(text, { level: 1 });
    res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'application/json', 'content-encoding': 'gzip', vary: 'Accept-Encoding', 'content-length': body.length, ...headers }).end(body);
    return;
  }
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(accepts ? { vary: 'Accept-Encoding' } : {}), ...headers }).end(text);
}

/** `{"status":"error","errorType":…,"error":…}` as Prometheus writes it. */
export function sendError(res: ServerResponse, err: ApiError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, { status: 'error', errorType: err.errorType, error: err.message }, headers);
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new ApiError('bad_data', `request body larger than ${limit} bytes`, 413));
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        reject(new ApiError('bad_data', `request body larger than ${limit} bytes`, 413));
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** Query-string and body fields as Prometheus' r.FormValue sees them, plus a JSON body. */
export async function parseRequest(req: IncomingMessage, url: URL): Promise<{ form: URLSearchParams; body: unknown }> {
  const form = new URLSearchParams();
  let body: unknown;
  if (req.method === 'POST' || req.method === 'PUT') {
    const raw = await readBody(req);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'application/x-www-form-urlencoded') {
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) form.append(k, v);
    } else if (type === 'application/json' && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new ApiError('bad_data', `request body is not valid JSON: ${(err as Error).message}`);
      }
    } else if (raw.length > 0 && type !== '') {
      throw new ApiError('bad_data', `unsupported Content-Type ${JSON.stringify(type)} (use application/x-www-form-urlencoded or application/json)`, 415);
    }
  }
  // Go's r.Form: body values first, then the URL's (FormValue takes the first).
  for (const [k, v] of url.searchParams) form.append(k, v);
  return { form, body };
}
