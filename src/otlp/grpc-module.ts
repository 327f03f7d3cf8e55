// @grpc/grpc-js adds ~13 MiB of RSS when loaded: only components that speak gRPC load it, at
// start, so the default pipeline stays small.
import type * as Grpc from '@grpc/grpc-js';
import type { Signal } from '../pdata/types.js';

let mod: typeof Grpc | undefined;

export async function loadGrpc(): Promise<typeof Grpc> {
  mod ??= (await import('@grpc/grpc-js')) as typeof Grpc;
  return mod;
}

/** The Export method of each OTLP collector service (receiver and exporter). */
export const SERVICE_PATHS: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};
