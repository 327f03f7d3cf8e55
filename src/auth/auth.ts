// The authenticator contract (the Collector's configauth): an extension that checks incoming
// requests (server side) or adds credentials to outgoing ones (client side). Receivers and
// exporters name it with `auth: {authenticator: <extension id>}` and get it by id through the
// Host at start; the extension must be listed under service.extensions.
import { s, type Infer } from '../config/schema.js';
import type { Extension, Host } from '../component/component.js';

/** Request headers / gRPC metadata, keys lower-case. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

export type AuthOutcome =
  | { ok: true; /** what the authenticator learnt (e.g. username), for client metadata */ attributes: Record<string, string> }
  | { ok: false; message: string };

export interface ServerAuthenticator extends Extension {
  readonly serverAuth: true;
  authenticate(headers: RequestHeaders): AuthOutcome;
}

export interface ClientAuthenticator extends Extension {
  readonly clientAuth: true;
  /** Headers to set on every outgoing request (secret values: never log them). */
  headers(current: Readonly<Record<string, string>>): Record<string, string | undefined>;
}

export const authSchema = s
  .object({ authenticator: s.string().describe('id of an authenticator extension (bearertokenauth, basicauth, headers_setter)') })
  .optional()
  .describe('authentication through an extension listed under service.extensions');
export type AuthConfig = Infer<typeof authSchema>;

function lookup(host: Host, id: string): Extension {
  const ext = host.getExtension(id);
  if (!ext) throw new Error(`auth.authenticator: extension "${id}" is not running (define it under extensions and list it under service.extensions)`);
  return ext;
}

export function serverAuthenticator(host: Host, id: string): ServerAuthenticator {
  const ext = lookup(host, id) as Partial<ServerAuthenticator>;
  if (ext.serverAuth !== true || typeof ext.authenticate !== 'function') throw new Error(`auth.authenticator: extension "${id}" cannot authenticate incoming requests`);
  return ext as ServerAuthenticator;
}

export function clientAuthenticator(host: Host, id: string): ClientAuthenticator {
  const ext = lookup(host, id) as Partial<ClientAuthenticator>;
  if (ext.clientAuth !== true || typeof ext.headers !== 'function') throw new Error(`auth.authenticator: extension "${id}" cannot add credentials to outgoing requests`);
  return ext as ClientAuthenticator;
}

/** The headers an exporter sends: its own, then the authenticator's (which may replace or delete). */
export function applyClientAuth(base: Record<string, string>, auth: ClientAuthenticator | undefined): Record<string, string> {
  if (!auth) return base;
  const out = { ...base };
  for (const [k, v] of Object.entries(auth.headers(base))) {
    // Header names are case-insensitive: replace any spelling of the same name.
    for (const existing of Object.keys(out)) if (existing.toLowerCase() === k.toLowerCase()) delete out[existing];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function header(h: RequestHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
