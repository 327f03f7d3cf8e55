// "host:port", "[v6]:port" or ":port": the one parser of listen and connect addresses.

/** Undefined when malformed or the port is out of range; an empty host is `emptyHost`. */
export function parseEndpoint(ep: string, emptyHost = '0.0.0.0'): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(ep.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? emptyHost : host, port };
}

/** parseEndpoint for places that cannot go on without an address: throws a clear error. */
export function mustParseEndpoint(ep: string, emptyHost?: string): { host: string; port: number } {
  const r = parseEndpoint(ep, emptyHost);
  if (!r) throw new Error(`invalid address ${JSON.stringify(ep)} (expected host:port)`);
  return r;
}
