// A listener that cannot bind: one message naming the listener, its address and the config key
// that holds the address (what the operator has to change), without a stack trace. The CLI finds
// it in the cause chain of a start failure and prints it once (stderr and the log).

const REASONS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use (another process, or another telemd, listens there)',
  EACCES: 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
  EADDRNOTAVAIL: 'no interface of this host has that address',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS unavailable)',
};

export class ListenError extends Error {
  constructor(
    readonly listener: string,
    readonly address: string,
    readonly configKey: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`${listener}: cannot listen on ${address} (${configKey}): ${code ? (REASONS[code] ?? code) : detail}`);
    this.name = 'ListenError';
  }
}

/** Wraps a bind failure (a Node errno error, or grpc-js' bind error text). */
export function listenError(err: unknown, o: { listener: string; address: string; configKey: string }): ListenError {
  if (err instanceof ListenError) return err;
  const e = err as NodeJS.ErrnoException;
  let code = typeof e?.code === 'string' ? e.code : undefined;
  const msg = e instanceof Error ? e.message : String(err);
  // grpc-js reports "No address added out of total 1 resolved: ... EADDRINUSE ...".
  code ??= /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN)\b/.exec(msg)?.[1];
  return new ListenError(o.listener, o.address, o.configKey, code, msg.split('\n')[0]!);
}

/** The ListenError in an error's cause chain, if any. */
export function findListenError(err: unknown): ListenError | undefined {
  for (let e = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof ListenError) return e;
  return undefined;
}
