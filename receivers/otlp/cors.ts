// CORS for the OTLP/HTTP receiver, with the Collector's confighttp keys (cors.allowed_origins,
// allowed_headers, max_age): a browser page on an allowed origin may POST OTLP (JSON or
// protobuf, which need a preflight). Origins may hold `*` for any run of characters
// (https://*.example.com); ["*"] allows any origin. The CORS-safelisted headers and
// X-Requested-With are always allowed, as in the Collector. A request that names an Origin the
// list does not allow is refused (403) rather than processed: browsers enforce CORS only on what
// they read back, and telemd's rule for browser-facing endpoints is to check Origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { s, type Infer } from '../../src/config/schema.js';

export const corsSchema = s
  .object({
    allowed_origins: s.array(s.string()).default([]).describe('origins allowed to send (e.g. https://app.example.com, https://*.example.com, or "*"); none = CORS off'),
    allowed_headers: s.array(s.string()).default([]).describe('request headers allowed beyond the safelisted ones and X-Requested-With ("*" = any)'),
    max_age: s.int({ min: 0 }).default(0).describe('seconds a browser may cache the preflight answer (Access-Control-Max-Age; 0 = not sent)'),
  })
  .optional()
  .describe('cross-origin requests from web pages (the Collector keys)');
export type CorsConfig = NonNullable<Infer<typeof corsSchema>>;

const ALWAYS = ['accept', 'accept-language', 'content-language', 'content-type', 'x-requested-with', 'origin'];

export function validateCors(c: CorsConfig | undefined): string[] {
  if (!c) return [];
  const out: string[] = [];
  c.allowed_origins.forEach((o, i) => {
    if (o !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/i.test(o)) out.push(`cors.allowed_origins[${i}]: "${o}" is not an origin (scheme://host[:port], no path)`);
    if ((o.match(/\*/g) ?? []).length > 1) out.push(`cors.allowed_origins[${i}]: "${o}": at most one "*"`);
  });
  if (c.allowed_origins.length === 0 && (c.allowed_headers.length > 0 || c.max_age > 0)) out.push('cors: allowed_headers / max_age have no effect without allowed_origins');
  return out;
}

export class Cors {
  private readonly any: boolean;
  private readonly patterns: RegExp[];
  private readonly anyHeader: boolean;
  private readonly headers: Set<string>;

  constructor(private readonly cfg: CorsConfig | undefined) {
    const origins = cfg?.allowed_origins ?? [];
    this.any = origins.includes('*');
    this.patterns = origins
      .filter((o) => o !== '*')
      .map((o) => new RegExp('^' + o.toLowerCase().split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$'));
    this.anyHeader = (cfg?.allowed_headers ?? []).includes('*');
    this.headers = new Set([...ALWAYS, ...(cfg?.allowed_headers ?? []).map((h) => h.toLowerCase())]);
  }

  allowed(origin: string): boolean {
    if (this.any) return true;
    const o = origin.toLowerCase();
    return this.patterns.some((p) => p.test(o));
  }

  /**
   * An OPTIONS request with Origin and Access-Control-Request-Method: answered here (204), with
   * the CORS headers only when origin, method (POST) and every requested header are allowed.
   * Returns false when the request is not a preflight.
   */
  preflight(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const method = req.headers['access-control-request-method'];
    if (req.method !== 'OPTIONS' || !origin || !method) return false;
    res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    const asked = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    if (this.allowed(origin) && method.toUpperCase() === 'POST' && (this.anyHeader || asked.every((h) => this.headers.has(h)))) {
      res.setHeader('Access-Control-Allow-Origin', this.any ? '*' : origin);
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      if (asked.length) res.setHeader('Access-Control-Allow-Headers', asked.join(', '));
      if (this.cfg && this.cfg.max_age > 0) res.setHeader('Access-Control-Max-Age', String(this.cfg.max_age));
    }
    res.statusCode = 204;
    res.end();
    return true;
  }

  /** Headers of the actual (POST) answer; false when the request names an Origin not allowed. */
  actual(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    res.setHeader('Vary', 'Origin');
    if (!this.allowed(origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', this.any ? '*' : origin);
    return true;
  }
}
