// The gRPC side of server hardening (src/net/http-server.ts is the HTTP side): at most N
// connections per client address, a deadline for receiving each request message, the
// Collector's keepalive.server_parameters, a cap on HTTP/2 session memory, and the
// not-on-loopback warning. grpc-js has no hooks for the first two, so they are attached to the
// HTTP/2 servers it creates (checked at start: if grpc-js changes, telemd says so instead of
// running unprotected in silence).
import type * as Grpc from '@grpc/grpc-js';
import type { Http2Server, Http2Stream } from 'node:http2';
import { constants as h2 } from 'node:http2';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { s, type Infer } from '../config/schema.js';
import type { Counter, SelfTelemetry } from '../telemetry/self.js';
import { warnIfExposed } from './exposure.js';

const serverParameters = s
  .object({
    max_connection_idle: s.duration({ min: 1 }).optional().describe('close a connection without calls for this long'),
    max_connection_age: s.duration({ min: 1 }).optional().describe('close (gracefully) a connection older than this'),
    max_connection_age_grace: s.duration({ min: 1 }).optional().describe('time calls get to finish after max_connection_age'),
    time: s.duration({ min: 1 }).optional().describe('ping an idle client after this long'),
    timeout: s.duration({ min: 1 }).optional().describe('close the connection when a ping is not answered in this time'),
  })
  .describe('the Collector keepalive.server_parameters');

/** Config keys for a gRPC listener (next to endpoint, max_recv_msg_size_mib, max_concurrent_streams). */
export const grpcLimitsKeys = {
  read_timeout: s.duration({ min: 1 }).default('30s').describe('time a client has to send a whole request message; slower calls are cancelled'),
  max_connections_per_client: s.int({ min: 1 }).default(128).describe('connections one client address may hold; more are closed'),
  keepalive: s.object({ server_parameters: serverParameters }).describe('connection keepalive and ageing (Collector keys)'),
};
const grpcLimitsSchema = s.object(grpcLimitsKeys);
export type GrpcLimits = Infer<typeof grpcLimitsSchema>;

/** grpc-js server options for these limits (merge into the options given to `new grpc.Server`). */
export function grpcServerOptions(l: GrpcLimits): Record<string, number> {
  const p = l.keepalive.server_parameters;
  const o: Record<string, number> = {
    // grpc-js otherwise lifts Node's HTTP/2 session memory cap (10 MiB) to unlimited.
    'grpc-node.max_session_memory': 64,
  };
  if (p.max_connection_idle !== undefined) o['grpc.max_connection_idle_ms'] = p.max_connection_idle;
  if (p.max_connection_age !== undefined) o['grpc.max_connection_age_ms'] = p.max_connection_age;
  if (p.max_connection_age_grace !== undefined) o['grpc.max_connection_age_grace_ms'] = p.max_connection_age_grace;
  if (p.time !== undefined) o['grpc.keepalive_time_ms'] = p.time;
  if (p.timeout !== undefined) o['grpc.keepalive_timeout_ms'] = p.timeout;
  return o;
}

export type GrpcCutReason = 'per_client_limit' | 'body_timeout';

export interface GrpcHardening {
  cut(reason: GrpcCutReason): number;
}

/** Attach the per-client and per-message bounds to a bound grpc-js server; warns when not on loopback. */
export function hardenGrpc(
  server: Grpc.Server,
  o: { limits: GrpcLimits; logger: Logger; telemetry?: SelfTelemetry; listener: string; configKey: string; host: string; port: number },
): GrpcHardening {
  const counts = new Map<GrpcCutReason, number>();
  const counters = new Map<GrpcCutReason, Counter>();
  const count = (reason: GrpcCutReason) => {
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
    let c = counters.get(reason);
    if (!c && o.telemetry) {
      c = o.telemetry.counter('telemd_grpc_cut_total', 'gRPC connections closed (too many per client) or calls cancelled (request not received in read_timeout)', {
        listener: o.listener,
        reason,
      });
      counters.set(reason, c);
    }
    c?.add();
  };
  const internals = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!(internals instanceof Map) || internals.size === 0) {
    o.logger.warn({ listener: o.listener }, `${o.listener}: this grpc-js version hides its HTTP/2 servers: max_connections_per_client and read_timeout are not enforced`);
  } else {
    const perClient = new Map<string, number>();
    for (const h of internals.keys()) {
      h.prependListener('connection', (sock: Socket) => {
        const addr = sock.remoteAddress ?? '?';
        const n = (perClient.get(addr) ?? 0) + 1;
        if (n > o.limits.max_connections_per_client) {
          count('per_client_limit');
          sock.destroy();
          return;
        }
        perClient.set(addr, n);
        sock.once('close', () => {
          const left = (perClient.get(addr) ?? 1) - 1;
          if (left <= 0) perClient.delete(addr);
          else perClient.set(addr, left);
        });
      });
      h.on('stream', (stream: Http2Stream) => {
        // A unary request is whole when the client half-closes; a trickle is cancelled.
        const t = setTimeout(() => {
          if (stream.readableEnded || stream.closed) return;
          count('body_timeout');
          stream.close(h2.NGHTTP2_CANCEL);
        }, o.limits.read_timeout);
        t.unref();
        const clear = () => clearTimeout(t);
        stream.once('end', clear);
        stream.once('close', clear);
      });
    }
  }
  warnIfExposed(o.logger, o.configKey, o.listener, o.host, o.port);
  return { cut: (r) => counts.get(r) ?? 0 };
}
