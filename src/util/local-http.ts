// Guards for the agent's debug endpoints (zpages, pprof): loopback by default, a bearer token
// for anyone else, and a Host check so that a web page cannot reach a loopback listener
// through DNS rebinding.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Constant-time check of `Authorization: Bearer <token>`. */
export function bearerMatches(header: string | undefined, token: Buffer): boolean {
  const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  if (!m) return false;
  const got = Buffer.from(m[1]!);
  return got.length === token.length && timingSafeEqual(got, token);
}

/**
 * Undefined when the request may proceed, else the status and reason. With a token, any client
 * that presents it; without one, only loopback clients naming a loopback host.
 */
export function refuseRequest(req: IncomingMessage, token: Buffer | undefined): { status: number; message: string } | undefined {
  if (token) return bearerMatches(req.headers.authorization, token) ? undefined : { status: 401, message: 'missing or invalid bearer token' };
  if (!isLoopbackHost(req.socket.remoteAddress ?? '')) return { status: 403, message: 'only loopback clients may use this endpoint without a token (set token in the extension config)' };
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!isLoopbackHost(host)) return { status: 403, message: `Host "${host}" is not a loopback name` };
  return undefined;
}
