// What people see of the config (print-config, /reload replies, the service view, logs) never
// shows credentials written into URLs: the password of `scheme://user:PW@host` (the whole
// user-info when it is a single token) and the values of secret-looking query parameters
// (`?api_key=…`, token, access_token, password, secret, signature, …). Secret fields declared in
// schemas are redacted by the schema itself; this covers what hides in ordinary strings.
export const REDACTED = '[REDACTED]';

/** Query parameter names whose values are credentials. */
const SECRET_PARAM =
  /^(?:api[-_]?key|apikey|key|token|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|auth|authorization|password|passwd|pass|pwd|secret|client[-_]?secret|signature|sig|credential|session[-_]?token|code|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential)$|(?:token|secret|passw|signature|credential|api[-_]?key)/i;

// scheme://userinfo@ — the user-info may not contain '/', '?', '#' or whitespace.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/gi;
// name=value inside a query string (after '?' or '&').
const PARAM = /([?&;])([^=&#\s;"'<>]+)=([^&#\s;"'<>]*)/g;

/** `s` with URL credentials redacted (any string: a URL, an error message naming one, …). */
export function redactUrlSecrets(s: string): string {
  if (!s.includes('://') && !s.includes('=')) return s;
  let out = s.replace(USERINFO, (_all, scheme: string, info: string) => {
    const colon = info.indexOf(':');
    // user:password → keep the user; a lone token (https://TOKEN@host) → all of it.
    return colon >= 0 ? `${scheme}${info.slice(0, colon)}:${REDACTED}@` : `${scheme}${REDACTED}@`;
  });
  if (out.includes('?'))
    out = out.replace(PARAM, (all, sep: string, name: string, value: string) => {
      let n = name;
      try {
        n = decodeURIComponent(name);
      } catch {
        // a malformed escape: judge the name as written
      }
      return value !== '' && SECRET_PARAM.test(n) ? `${sep}${name}=${REDACTED}` : all;
    });
  return out;
}

/** A copy of a value shown to people with every string passed through redactUrlSecrets. */
export function redactShown<T>(v: T): T {
  return walk(v, 0) as T;
}

function walk(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return redactUrlSecrets(v);
  if (depth > 64 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
  if (v instanceof Uint8Array || v instanceof Date) return v;
  if (v instanceof Error) {
    // Same class and fields (code, cause, …), strings redacted.
    const e = Object.create(Object.getPrototypeOf(v) as object) as Error;
    for (const [k, x] of Object.entries(v)) (e as unknown as Record<string, unknown>)[k] = walk(x, depth + 1);
    Object.defineProperty(e, 'message', { value: redactUrlSecrets(v.message), writable: true, configurable: true });
    if (v.stack) Object.defineProperty(e, 'stack', { value: redactUrlSecrets(v.stack), writable: true, configurable: true });
    if (v.cause !== undefined) Object.defineProperty(e, 'cause', { value: walk(v.cause, depth + 1), writable: true, configurable: true });
    return e;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x, depth + 1);
  return out;
}
